# Per-ISA compilation of op templates (DESIGN §3): one source written against src/kernels/simd/
# is compiled once per ISA with that ISA's flags and GK_TARGET_<ISA> defined, so the name macro
# GK_FN(x) gives x_avx2, x_avx512, ... No other file in the library gets ISA flags.
set(GK_ISA_FLAGS_scalar "")
set(GK_ISA_FLAGS_avx2 -mavx -mavx2 -mfma -mf16c)
set(GK_ISA_FLAGS_avx512 -mavx -mavx2 -mfma -mf16c -mavx512f -mavx512bw -mavx512dq -mavx512vl)

# gk_isa_template(ISAS avx2 avx512 SOURCES a.c b.c [FLAGS extra...])
function(gk_isa_template)
  cmake_parse_arguments(T "" "" "ISAS;SOURCES;FLAGS" ${ARGN})
  foreach(isa IN LISTS T_ISAS)
    string(TOUPPER ${isa} ISA)
    foreach(src IN LISTS T_SOURCES)
      get_filename_component(abs ${src} ABSOLUTE)
      file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${abs})
      string(MAKE_C_IDENTIFIER ${rel} id)
      set(out ${PROJECT_BINARY_DIR}/isa/${isa}/${id}.c)
      file(CONFIGURE OUTPUT ${out} CONTENT "#include \"${abs}\"\n" @ONLY)
      set_source_files_properties(${out} TARGET_DIRECTORY gk_obj PROPERTIES
        COMPILE_OPTIONS "${GK_ISA_FLAGS_${isa}};${T_FLAGS}"
        COMPILE_DEFINITIONS "GK_TARGET_${ISA}=1"
        OBJECT_DEPENDS ${abs})
      target_sources(gk_obj PRIVATE ${out})
    endforeach()
  endforeach()
endfunction()

# gk_isa_source(ISA avx2 SOURCES f.S [FLAGS ...]): a file that exists for one ISA only
# (assembly micro-kernels, measurement loops).
function(gk_isa_source)
  cmake_parse_arguments(T "" "ISA" "SOURCES;FLAGS" ${ARGN})
  string(TOUPPER ${T_ISA} ISA)
  foreach(src IN LISTS T_SOURCES)
    get_filename_component(abs ${src} ABSOLUTE)
    set_source_files_properties(${abs} TARGET_DIRECTORY gk_obj PROPERTIES
      COMPILE_OPTIONS "${GK_ISA_FLAGS_${T_ISA}};${T_FLAGS}"
      COMPILE_DEFINITIONS "GK_TARGET_${ISA}=1")
    target_sources(gk_obj PRIVATE ${abs})
  endforeach()
endfunction()
