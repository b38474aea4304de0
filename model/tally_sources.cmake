# Sources of the tally engine, kept in their own list so that model/CMakeLists.txt
# stays small. Add new tally files here.
target_sources(model PRIVATE
  control.cpp
  contest_totals.cpp
  council_state.cpp
  desk_action_json.cpp
  desk_state.cpp
  event_writer.cpp
  json_writer.cpp
  scoreboard.cpp
  seat_gains.cpp
  tally.cpp
  ward_result.cpp
  wire_text.cpp
)
