// What the gateway spends on bodies: validation, the reads it needs and the model splice of a
// pass-through; and, for providers and clients of another format, translating the request, the
// answer and a streamed answer, on recorded wire samples. Run: build/bench/parse_bench
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "translate/ai_gateway.h"
#include "translate/anthropic_request.h"
#include "translate/anthropic_response.h"
#include "translate/gemini_inbound.h"
#include "translate/gemini_request.h"
#include "translate/gemini_response.h"
#include "translate/openai_request.h"
#include "translate/responses_answer.h"
#include "translate/responses_request.h"
#include "translate/sse_events.h"

namespace {

std::string load(const char* name) {
  std::ifstream in(std::string(SWITCHYARD_FIXTURES) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A long conversation: the recorded request with its messages repeated to ~`bytes`.
std::string conversation(std::size_t bytes) {
  std::string turn =
      R"({"role":"user","content":"Summarise the quarterly report and list the three largest risks, with numbers."},)";
  std::string body = R"({"model":"acme/chat","stream":true,"messages":[)";
  while (body.size() < bytes) body += turn;
  body.back() = ']';
  return body + "}";
}

void BM_ParseRecordedRequest(benchmark::State& state) {
  const std::string original = load("openai/chat_request_tools.json");
  for (auto _ : state) {
    std::string body = original;
    auto view = switchyard::parse_openai_request(body, switchyard::OpenAIEndpoint::chat_completions);
    benchmark::DoNotOptimize(view);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * original.size()));
}
BENCHMARK(BM_ParseRecordedRequest);

void BM_ParseAndSplice(benchmark::State& state) {
  const std::string original = conversation(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    std::string body = original;
    auto result = switchyard::parse_openai_request(body, switchyard::OpenAIEndpoint::chat_completions);
    auto spliced = switchyard::splice_model(body, std::get<switchyard::RequestView>(result), "gpt-4o-mini");
    benchmark::DoNotOptimize(spliced);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * original.size()));
}
BENCHMARK(BM_ParseAndSplice)->Arg(1 << 10)->Arg(32 << 10)->Arg(1 << 20);

// The whole translation of one request: parse the client's JSON, build the provider's.
void BM_TranslateRequest(benchmark::State& state, bool to_anthropic) {
  const std::string original = load("openai/chat_request_tools.json");
  for (auto _ : state) {
    auto request = boost::json::parse(original).as_object();
    if (to_anthropic)
      benchmark::DoNotOptimize(boost::json::serialize(
          std::get<boost::json::object>(switchyard::anthropic_request_from_openai(request, "claude-sonnet-4-5"))));
    else
      benchmark::DoNotOptimize(
          boost::json::serialize(std::get<boost::json::object>(switchyard::gemini_request_from_openai(request))));
  }
}
BENCHMARK_CAPTURE(BM_TranslateRequest, to_anthropic, true);
BENCHMARK_CAPTURE(BM_TranslateRequest, to_gemini, false);

void BM_TranslateAnswer(benchmark::State& state, bool from_anthropic) {
  const std::string body =
      load(from_anthropic ? "anthropic/response_tool_use.json" : "gemini/response_function_call.json");
  for (auto _ : state)
    benchmark::DoNotOptimize(from_anthropic ? switchyard::openai_response_from_anthropic(body, 1)
                                            : switchyard::openai_response_from_gemini(body, 1));
}
BENCHMARK_CAPTURE(BM_TranslateAnswer, from_anthropic, true);
BENCHMARK_CAPTURE(BM_TranslateAnswer, from_gemini, false);

// A whole recorded stream through a new translator each time, event by event; reported per
// stream and per event.
template <class MakeTranslator>
void translate_stream(benchmark::State& state, const std::vector<switchyard::SseEvent>& events, MakeTranslator&& make) {
  std::string out;
  for (auto _ : state) {
    auto translator = make();
    out.clear();
    for (const auto& event : events) translator->on_event(event, out);
    translator->on_end(out);
    benchmark::DoNotOptimize(out);
  }
  state.counters["events"] = static_cast<double>(events.size());
  state.counters["s_per_event"] = benchmark::Counter(static_cast<double>(state.iterations() * events.size()),
                                                     benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_TranslateStream(benchmark::State& state, bool from_anthropic) {
  const auto events = switchyard::parse_sse_events(
      load(from_anthropic ? "anthropic/stream_tool_use.sse" : "gemini/stream_transcript.sse"));
  translate_stream(state, events, [&] {
    return from_anthropic ? switchyard::openai_stream_from_anthropic(1, true)
                          : switchyard::openai_stream_from_gemini(1, true);
  });
}
BENCHMARK_CAPTURE(BM_TranslateStream, from_anthropic, true);
BENCHMARK_CAPTURE(BM_TranslateStream, from_gemini, false);

// The Responses API, translated: the request to chat, a chat answer back to a response object,
// and a chat stream into the Responses event sequence.
void BM_ResponsesRequestToChat(benchmark::State& state) {
  const std::string original = load("responses/request_codex.json");
  for (auto _ : state) {
    auto request = boost::json::parse(original).as_object();
    auto chat = switchyard::chat_from_responses(request);
    benchmark::DoNotOptimize(boost::json::serialize(std::get<switchyard::ChatFromResponses>(chat).chat));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * original.size()));
}
BENCHMARK(BM_ResponsesRequestToChat);

void BM_ResponsesAnswerFromChat(benchmark::State& state) {
  const std::string body = load("openai/response_tool_call.json");
  const auto shell = switchyard::response_shell(boost::json::parse(load("responses/request_codex.json")).as_object());
  for (auto _ : state) benchmark::DoNotOptimize(switchyard::response_from_chat(body, shell, 1));
}
BENCHMARK(BM_ResponsesAnswerFromChat);

void BM_ResponsesStreamFromChat(benchmark::State& state) {
  const auto events = switchyard::parse_sse_events(load("openai/stream_tool_calls.sse"));
  const auto shell = switchyard::response_shell(boost::json::parse(load("responses/request_codex.json")).as_object());
  translate_stream(state, events, [&] { return switchyard::responses_stream_from_chat(shell, 1); });
}
BENCHMARK(BM_ResponsesStreamFromChat);

// The AI SDK's gateway protocol and Google's Gemini API as client formats: their requests to chat,
// a chat answer back, and a chat stream into their events (recorded samples).
void BM_ClientRequestToChat(benchmark::State& state, bool gemini) {
  const std::string original =
      load(gemini ? "gemini/genai_request_agent.json" : "ai_gateway/request_tool_loop_stream.json");
  for (auto _ : state) {
    auto request = boost::json::parse(original).as_object();
    auto chat = gemini ? switchyard::chat_from_gemini(request, "team/m", true)
                       : switchyard::chat_from_call_options(request, "team/m", true);
    benchmark::DoNotOptimize(boost::json::serialize(std::get<boost::json::object>(chat)));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * original.size()));
}
BENCHMARK_CAPTURE(BM_ClientRequestToChat, ai_gateway, false);
BENCHMARK_CAPTURE(BM_ClientRequestToChat, gemini, true);

void BM_ClientAnswerFromChat(benchmark::State& state, bool gemini) {
  const std::string body = load("ai_gateway/chat_completion_reasoning_tools.json");
  for (auto _ : state)
    benchmark::DoNotOptimize(gemini ? switchyard::gemini_answer_from_chat(body, "team/m")
                                    : switchyard::generate_result_from_chat(body, switchyard::SpecVersion::v4));
}
BENCHMARK_CAPTURE(BM_ClientAnswerFromChat, ai_gateway, false);
BENCHMARK_CAPTURE(BM_ClientAnswerFromChat, gemini, true);

void BM_ClientStreamFromChat(benchmark::State& state, bool gemini) {
  const auto events = switchyard::parse_sse_events(load("ai_gateway/chat_stream_reasoning_tools.sse"));
  translate_stream(state, events, [&] {
    return gemini ? switchyard::gemini_stream_from_chat("team/m")
                  : switchyard::stream_parts_from_chat(switchyard::SpecVersion::v4, "team/m");
  });
}
BENCHMARK_CAPTURE(BM_ClientStreamFromChat, ai_gateway, false);
BENCHMARK_CAPTURE(BM_ClientStreamFromChat, gemini, true);

}  // namespace

BENCHMARK_MAIN();
