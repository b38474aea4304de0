# journal: the append-only log of accepted declarations (docs/journal.md).
# Included from daemon/CMakeLists.txt.
add_library(journal STATIC
  ${CMAKE_CURRENT_LIST_DIR}/journal_format.cpp
  ${CMAKE_CURRENT_LIST_DIR}/file_journal.cpp
  ${CMAKE_CURRENT_LIST_DIR}/memory_journal.cpp
  ${CMAKE_CURRENT_LIST_DIR}/group_commit.cpp
)
target_include_directories(journal PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(journal
  PUBLIC model Threads::Threads
  PRIVATE Boost::headers declared_warnings)
