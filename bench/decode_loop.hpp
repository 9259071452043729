#pragma once

// The loop of a decoding benchmark: `decode` (text, error) reads `text`, which lists `n` items,
// and `listed` says how many the decoded value holds; bytes and items per second reported.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

template <typename Decode, typename Listed>
void decode_loop(benchmark::State& state, const std::string& text, std::size_t n, Decode decode,
                 Listed listed) {
  for (auto _ : state) {
    std::string error;
    auto value = decode(text, error);
    if (!value || listed(*value) != n) state.SkipWithError("the text did not decode");
    benchmark::DoNotOptimize(value);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  state.counters["bytes"] = static_cast<double>(text.size());
  state.SetComplexityN(static_cast<std::int64_t>(n));
}
