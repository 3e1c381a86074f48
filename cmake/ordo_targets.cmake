# Shared settings for Ordo's own targets.

add_library(ordo_warnings INTERFACE)
target_compile_options(ordo_warnings INTERFACE -Wall -Wextra -Wpedantic)
if(ORDO_WERROR)
  target_compile_options(ordo_warnings INTERFACE -Werror)
endif()

# CAF headers dominate compile time: every CAF-using target reuses one precompiled header
# of caf/all.hpp and caf/io/all.hpp built with the same flags.
add_library(ordo_caf_pch STATIC ${PROJECT_SOURCE_DIR}/cmake/caf_pch.cpp)
target_link_libraries(ordo_caf_pch PUBLIC caf::io PRIVATE ordo_warnings)
target_precompile_headers(ordo_caf_pch PRIVATE <caf/all.hpp> <caf/io/all.hpp>)

function(ordo_use_caf_pch target)
  target_precompile_headers(${target} REUSE_FROM ordo_caf_pch)
endfunction()
