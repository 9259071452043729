#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/json_document.hpp"  // complete: nlohmann's conversions test the type
#include "mesos/offer.hpp"

namespace steward {
class JsonText;
}

namespace steward::mesos {

nlohmann::json to_json(const Offer& offer);
// The same JSON as text: write_json is where the format is written, to_json parses its text.
void write_json(JsonText& out, const Offer& offer);
std::optional<Offer> offer_from_json(const nlohmann::json& j, std::string& error);
std::optional<Offer> offer_from_json(const JsonValue& j, std::string& error);

nlohmann::json to_json(const Event& event);
void write_json(JsonText& out, const Event& event);
std::string event_text(const Event& event);
// One record of the event stream. Unknown event types decode as Type::unknown (a client
// must ignore them); a malformed known event is an error naming the field.
std::optional<Event> event_from_json(const nlohmann::json& j, std::string& error);
std::optional<Event> event_from_json(const JsonValue& j, std::string& error);
// The same from the record's text, as the scheduler reads its event stream: from a
// JsonDocument, an OFFERS event's offers handed over as each is parsed (JsonListing), so that
// no document of the whole event is ever held. Only the first `offers_read` offers are read in
// full; of the rest only the id is kept (Event::unread_offer_ids).
std::optional<Event> event_from_text(std::string_view text, std::string& error,
                                     std::size_t offers_read = SIZE_MAX);

}  // namespace steward::mesos
