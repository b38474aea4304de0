# Sources of the tally engine, kept in their own list so that model/CMakeLists.txt
# stays small. Add new tally files here.
target_sources(model PRIVATE
  tally.cpp
)
