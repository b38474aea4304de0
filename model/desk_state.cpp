#include "model/desk_state.hpp"

#include "model/details/event_writer.hpp"
#include "model/json_writer.hpp"

namespace declared {

void write_called_by(JsonWriter& w, const CalledBy& by, const EventWriter& ids) {
    w.begin_object();
    w.field("by", by.desk ? "desk" : "arithmetic");
    if (by.desk) {
        w.field("name", by.name);
        w.field("reason", by.reason);
    } else if (by.approved) {
        w.key("approved_by").begin_object();
        w.field("name", by.name);
        w.field("reason", by.reason);
        w.end_object();
        w.key("proposal").begin_object();
        w.key("id");
        ids.write_id(w, by.approved);
        w.field("seq", by.approved);
        w.end_object();
    }
    w.end_object();
}

}  // namespace declared
