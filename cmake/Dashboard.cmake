# The dashboard (web/, docs/dashboard.md): with LABSWEEP_DASHBOARD on, esbuild bundles web/src
# into ${CMAKE_BINARY_DIR}/web and cmake/EmbedFiles.cmake turns the bundle into a C++ source,
# so that `labsweep` serves the dashboard with no files beside it. Off, a small built-in page
# says that the dashboard was not built.

# labsweep_add_dashboard(TARGET): adds the dashboard's assets to TARGET's sources.
function(labsweep_add_dashboard target)
  if(NOT LABSWEEP_DASHBOARD)
    target_sources(${target} PRIVATE ${PROJECT_SOURCE_DIR}/orchestrator/dashboard_not_built.cc)
    return()
  endif()
  set(web ${PROJECT_SOURCE_DIR}/web)
  find_program(LABSWEEP_NODE node)
  if(NOT LABSWEEP_NODE OR NOT EXISTS ${web}/node_modules/.bin/esbuild)
    message(FATAL_ERROR
            "The dashboard's bundler (node and web/node_modules/.bin/esbuild) is missing: run "
            "scripts/setup-deps, or configure with -DLABSWEEP_DASHBOARD=OFF to build without the "
            "dashboard.")
  endif()
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${web}/src/*)
  set(out ${CMAKE_BINARY_DIR}/web)
  set(bundle ${out}/index.html ${out}/app.js ${out}/uplot.js ${out}/app.css)
  add_custom_command(
    OUTPUT ${bundle}
    COMMAND ${LABSWEEP_NODE} ${web}/build.mjs ${out}
    DEPENDS ${sources} ${web}/build.mjs ${web}/package-lock.json
    WORKING_DIRECTORY ${web}
    COMMENT "Bundling the dashboard (esbuild)"
    VERBATIM)
  set(generated ${CMAKE_CURRENT_BINARY_DIR}/dashboard_bundle.cc)
  add_custom_command(
    OUTPUT ${generated}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${generated}
            "-DFILES=index.html=${out}/index.html|app.js=${out}/app.js|uplot.js=${out}/uplot.js|app.css=${out}/app.css"
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake
    DEPENDS ${bundle} ${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake
    COMMENT "Embedding the dashboard"
    VERBATIM)
  target_sources(${target} PRIVATE ${generated})
endfunction()
