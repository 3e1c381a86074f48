# `cmake --install` puts libordo, its public headers and an ordoConfig.cmake under the
# prefix, so that `find_package(ordo REQUIRED)` + `target_link_libraries(app ordo::ordo)`
# works for an embedding project.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS ordo EXPORT ordoTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
# Only the public API: include/ordo/ holds the engine and the value types it speaks.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ordo DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT ordoTargets NAMESPACE ordo:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ordo)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ordoConfig.cmake.in
  ${PROJECT_BINARY_DIR}/ordoConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ordo)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ordoConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ordoConfig.cmake ${PROJECT_BINARY_DIR}/ordoConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ordo)
