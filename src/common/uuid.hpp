#pragma once

// Random UUIDs (version 4) as text, and as the Base64 of their 16 bytes, which is how the
// Mesos JSON API carries a status update's uuid.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace steward {

using UuidBytes = std::array<std::uint8_t, 16>;

UuidBytes random_uuid();
std::string uuid_text(const UuidBytes& uuid);  // 8-4-4-4-12 hex
std::string new_id();                          // uuid_text(random_uuid())

std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not canonical Base64 (padding required).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace steward
