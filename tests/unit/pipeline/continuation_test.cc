// Streams that survive their provider: a stream cut at every byte offset of a recorded answer of
// each provider format is continued on the next route, and the client reads exactly one answer.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <boost/json.hpp>
#include <set>
#include <sstream>

#include "pipeline/gateway_harness.h"

using namespace switchyard;
using namespace switchyard::testing;

namespace {
namespace json = boost::json;

const char* kConfig = R"(
providers:
  oa: {type: openai, base_url: 'http://oa.test/v1', api_key: sk-oa-secret-key-0001, prefill: prefix}
  plain: {type: openai, base_url: 'http://plain.test/v1', api_key: sk-pl-secret-key-0004}
  an: {type: anthropic, base_url: 'http://an.test', api_key: sk-an-secret-key-0002}
  ge: {type: gemini, base_url: 'http://ge.test', api_key: ge-secret-key-0003}
models:
  m/oa-first:
    continue_on_failure: true
    routes: [{provider: oa, model: m1}, {provider: an, model: m2}]
  m/an-first:
    continue_on_failure: true
    routes: [{provider: an, model: m2}, {provider: oa, model: m1}]
  m/ge-first:
    continue_on_failure: true
    routes: [{provider: ge, model: m3}, {provider: an, model: m2}]
  m/skip-plain:
    continue_on_failure: true
    routes: [{provider: an, model: m2}, {provider: plain, model: m4}, {provider: ge, model: m3}]
  m/three:
    continue_on_failure: true
    routes: [{provider: oa, model: m1}, {provider: an, model: m2}, {provider: ge, model: m3}]
  m/off:
    routes: [{provider: oa, model: m1}, {provider: an, model: m2}]
)";

const std::string kText = "The quick brown fox jumps over the lazy dog. Then it rests!";

// The answer's text in pieces of a few characters, as a provider streams it.
std::vector<std::string> pieces_of(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < text.size(); at += 7) out.emplace_back(text.substr(at, 7));
  return out;
}

std::string openai_stream(std::string_view text) {
  std::string out = R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":5,"model":"m1",)"
                    R"("choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]})"
                    "\n\n";
  for (const auto& piece : pieces_of(text))
    out += fmt::format(
        "data: {{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":5,\"model\":"
        "\"m1\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":{}}},\"finish_reason\":null}}]}}\n\n",
        json::serialize(json::value(piece)));
  out += R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":5,"model":"m1",)"
         R"("choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"
         "\n\n";
  out += R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":5,"model":"m1","choices":[],)"
         R"("usage":{"prompt_tokens":12,"completion_tokens":9,"total_tokens":21}})"
         "\n\n";
  return out + "data: [DONE]\n\n";
}

std::string anthropic_stream(std::string_view text) {
  std::string out =
      "event: message_start\ndata: "
      R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m2",)"
      R"("content":[],"stop_reason":null,"usage":{"input_tokens":12,"output_tokens":1}}})"
      "\n\n"
      "event: content_block_start\ndata: "
      R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"
      "\n\n";
  for (const auto& piece : pieces_of(text))
    out += fmt::format(
        "event: content_block_delta\ndata: "
        "{{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":{}}}}}\n\n",
        json::serialize(json::value(piece)));
  out +=
      "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
      "event: message_delta\ndata: "
      R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}})"
      "\n\n"
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  return out;
}

std::string gemini_stream(std::string_view text) {
  std::string out;
  auto parts = pieces_of(text);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const bool last = i + 1 == parts.size();
    out += fmt::format(
        "data: {{\"candidates\":[{{\"content\":{{\"parts\":[{{\"text\":{}}}],\"role\":\"model\"}}{}}}],"
        "\"modelVersion\":\"m3\"{}}}\r\n\r\n",
        json::serialize(json::value(parts[i])), last ? ",\"finishReason\":\"STOP\"" : "",
        last ? ",\"usageMetadata\":{\"promptTokenCount\":12,\"candidatesTokenCount\":9,\"totalTokenCount\":21}" : "");
  }
  return out;
}

enum class Format { openai, anthropic, gemini };

std::string stream_of(Format format, std::string_view text) {
  switch (format) {
    case Format::openai: return openai_stream(text);
    case Format::anthropic: return anthropic_stream(text);
    case Format::gemini: return gemini_stream(text);
  }
  return {};
}

// The answer text in the whole events of `bytes`, read the way each provider means it: the oracle
// for what the client has been sent when the stream is cut after `bytes`. `finished`: they
// include the answer's finish reason.
std::string text_in_whole_events(Format format, std::string_view bytes, bool* finished = nullptr) {
  std::string text;
  if (finished) *finished = false;
  for (std::size_t start = 0;;) {
    std::size_t end = bytes.find(format == Format::gemini ? "\r\n\r\n" : "\n\n", start);
    if (end == std::string_view::npos) break;
    std::string_view event = bytes.substr(start, end - start);
    start = end + (format == Format::gemini ? 4 : 2);
    std::size_t data = event.find("data: ");
    if (data == std::string_view::npos || event.substr(data + 6) == "[DONE]") continue;
    json::value v = json::parse(event.substr(data + 6));
    const json::value* piece = nullptr;
    bool finish = false;
    if (format == Format::openai) {
      const auto& choices = v.at("choices").as_array();
      if (!choices.empty()) piece = choices[0].at("delta").as_object().if_contains("content");
      finish = !choices.empty() && !choices[0].at("finish_reason").is_null();
    } else if (format == Format::anthropic) {
      if (v.at("type") == "content_block_delta") piece = &v.at("delta").at("text");
      finish = v.at("type") == "message_delta";
    } else {
      piece = &v.at("candidates").at(0).at("content").at("parts").at(0).at("text");
      finish = v.at("candidates").at(0).as_object().contains("finishReason");
    }
    if (finish && finished) *finished = true;
    if (piece && piece->is_string()) text += piece->get_string();
  }
  return text;
}

ScriptedAnswer sse(std::string body, std::optional<Error> error_after = std::nullopt) {
  ScriptedAnswer answer;
  answer.headers = {{"content-type", "text/event-stream"}};
  answer.pieces = {std::move(body)};
  answer.error_after_pieces = std::move(error_after);
  return answer;
}

Error reset() { return make_error(ErrorKind::upstream_unreachable, "the provider reset the connection"); }

// What an OpenAI-format client read: the text, the chunk ids, how many finish reasons, and the end.
struct ReadStream {
  std::string text;
  std::set<std::string> ids;
  int finishes = 0;
  bool done = false, error = false;
  json::object usage;  // the last usage the stream carried
};

ReadStream read_openai(const std::string& body) {
  ReadStream out;
  for (std::size_t start = 0;;) {
    std::size_t end = body.find("\n\n", start);
    if (end == std::string::npos) break;
    std::string_view event = std::string_view(body).substr(start, end - start);
    start = end + 2;
    if (!event.starts_with("data: ")) continue;
    event.remove_prefix(6);
    if (event == "[DONE]") {
      out.done = true;
      continue;
    }
    json::object chunk = json::parse(event).as_object();
    if (chunk.contains("error")) {
      out.error = true;
      continue;
    }
    out.ids.insert(std::string(chunk.at("id").as_string()));
    if (const auto* usage = chunk.if_contains("usage"); usage && usage->is_object()) out.usage = usage->as_object();
    for (const auto& choice : chunk.at("choices").as_array()) {
      const auto& c = choice.as_object();
      if (const auto* content = c.at("delta").as_object().if_contains("content"); content && content->is_string())
        out.text += content->as_string();
      if (!c.at("finish_reason").is_null()) ++out.finishes;
    }
  }
  return out;
}

std::string chat(std::string_view model) {
  return fmt::format(R"({{"model":"{}","stream":true,"messages":[{{"role":"user","content":"tell me"}}]}})", model);
}

// The last message of the chat-form request an upstream was sent (OpenAI and Anthropic bodies).
json::object last_message(const ScriptedExchangeLog& exchange) {
  json::object body = json::parse(exchange.request.body).as_object();
  if (const auto* contents = body.if_contains("contents")) return contents->as_array().back().as_object();
  return body.at("messages").as_array().back().as_object();
}

struct Case {
  std::string model;
  Format first, second;
};

void continue_at_every_offset(const Case& c) {
  const std::string recorded = stream_of(c.first, kText);
  for (std::size_t cut = 0; cut < recorded.size(); ++cut) {
    SCOPED_TRACE(fmt::format("{} cut after {} of {} bytes", c.model, cut, recorded.size()));
    bool finished = false;
    const std::string sent = text_in_whole_events(c.first, std::string_view(recorded).substr(0, cut), &finished);
    const std::string prefill = sent.substr(0, sent.find_last_not_of(" \t\r\n") + 1);
    TestGateway g(kConfig);
    g.transport.add(sse(recorded.substr(0, cut), reset()));
    // The fallback continues from the prefill it was given, as a model does.
    g.transport.add(sse(stream_of(c.second, kText.substr(prefill.size()))));
    ClientView answer = g.chat(chat(c.model));
    ASSERT_EQ(answer.status, 200u);
    ReadStream read = read_openai(answer.body);
    ASSERT_EQ(read.text, kText) << answer.body;
    EXPECT_EQ(read.ids.size(), 1u) << "one answer, one id";
    EXPECT_EQ(read.finishes, 1);
    EXPECT_TRUE(read.done);
    EXPECT_FALSE(read.error);
    // Cut after the finish reason: the answer is closed as it is, or (when the provider's
    // translator holds the finish until the stream's end) continued with nothing left to say.
    if (finished) continue;
    ASSERT_EQ(g.transport.log().size(), 2u);
    json::object last = last_message(*g.transport.log()[1]);
    if (prefill.empty()) {
      EXPECT_EQ(last.at("role"), "user") << "nothing to continue: the answer is asked afresh";
    } else {
      EXPECT_NE(last.at("role"), "user");
      EXPECT_NE(json::serialize(last).find(json::serialize(json::value(prefill))), std::string::npos)
          << json::serialize(last);
    }
  }
}

TEST(Continuation, AnOpenAIStreamCutAtEveryByteIsContinuedOnAnthropicExactly) {
  continue_at_every_offset({"m/oa-first", Format::openai, Format::anthropic});
}

TEST(Continuation, AnAnthropicStreamCutAtEveryByteIsContinuedOnAPrefixHostExactly) {
  continue_at_every_offset({"m/an-first", Format::anthropic, Format::openai});
}

TEST(Continuation, AGeminiStreamCutAtEveryByteIsContinuedOnAnthropicExactly) {
  continue_at_every_offset({"m/ge-first", Format::gemini, Format::anthropic});
}

TEST(Continuation, TheContinuingRequestMarksThePrefillAsTheHostWantsIt) {
  TestGateway g(kConfig);
  const std::string recorded = anthropic_stream(kText);
  const std::string part = recorded.substr(0, recorded.find("fox") + 40);
  const std::string sent = text_in_whole_events(Format::anthropic, part);
  g.transport.add(sse(part, reset()));
  g.transport.add(sse(openai_stream(kText.substr(sent.find_last_not_of(' ') + 1))));
  ClientView answer = g.chat(chat("m/an-first"));
  ASSERT_EQ(g.transport.log().size(), 2u);
  json::object last = last_message(*g.transport.log()[1]);
  EXPECT_EQ(last.at("role"), "assistant");
  EXPECT_EQ(last.at("prefix"), true) << "providers.oa.prefill: prefix";
  EXPECT_EQ(read_openai(answer.body).text, kText);
}

TEST(Continuation, AnthropicClientsReadOneMessage) {
  TestGateway g(kConfig);
  const std::string recorded = openai_stream(kText);
  g.transport.add(sse(recorded.substr(0, recorded.size() / 2), reset()));
  const std::string sent = text_in_whole_events(Format::openai, recorded.substr(0, recorded.size() / 2));
  const std::string prefill = sent.substr(0, sent.find_last_not_of(' ') + 1);
  g.transport.add(sse(anthropic_stream(kText.substr(prefill.size()))));
  Exchanged request;
  request.target = "/v1/messages";
  request.body =
      R"({"model":"m/oa-first","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"tell me"}]})";
  ClientView answer = run_request(*g.gateway, request);
  ASSERT_EQ(answer.status, 200u);
  std::string text;
  int starts = 0, stops = 0;
  std::istringstream lines(answer.body);
  for (std::string l; std::getline(lines, l);) {
    if (!l.starts_with("data: ")) continue;
    json::object event = json::parse(l.substr(6)).as_object();
    if (event.at("type") == "message_start") ++starts;
    if (event.at("type") == "message_stop") ++stops;
    if (event.at("type") == "content_block_delta") text += event.at("delta").at("text").as_string();
  }
  EXPECT_EQ(text, kText) << answer.body;
  EXPECT_EQ(starts, 1);
  EXPECT_EQ(stops, 1);
}

TEST(Continuation, AHostWithoutPrefillIsSkippedAsTheContinuingRoute) {
  TestGateway g(kConfig);
  const std::string recorded = anthropic_stream(kText);
  g.transport.add(sse(recorded.substr(0, recorded.size() / 2), reset()));
  const std::string sent = text_in_whole_events(Format::anthropic, recorded.substr(0, recorded.size() / 2));
  const std::string prefill = sent.substr(0, sent.find_last_not_of(' ') + 1);
  g.transport.add(sse(gemini_stream(kText.substr(prefill.size()))));
  ClientView answer = g.chat(chat("m/skip-plain"));
  ASSERT_EQ(g.transport.log().size(), 2u);
  EXPECT_EQ(g.transport.log()[1]->host, "ge.test") << "plain.test (prefill: none) cannot continue an answer";
  EXPECT_EQ(read_openai(answer.body).text, kText);
}

TEST(Continuation, ASecondCutIsContinuedFromEverythingSentSoFar) {
  TestGateway g(kConfig);
  const std::string first = openai_stream(kText);
  const std::size_t cut1 = first.size() / 3;
  const std::string sent1 = text_in_whole_events(Format::openai, first.substr(0, cut1));
  g.transport.add(sse(first.substr(0, cut1), reset()));
  const std::string second = anthropic_stream(kText.substr(sent1.find_last_not_of(' ') + 1));
  const std::size_t cut2 = second.size() / 2;
  const std::string sent2 = sent1 + text_in_whole_events(Format::anthropic, second.substr(0, cut2));
  g.transport.add(sse(second.substr(0, cut2), reset()));
  g.transport.add(sse(gemini_stream(kText.substr(sent2.find_last_not_of(' ') + 1))));
  ClientView answer = g.chat(chat("m/three"));
  ReadStream read = read_openai(answer.body);
  EXPECT_EQ(read.text, kText) << answer.body;
  EXPECT_TRUE(read.done);
  ASSERT_EQ(g.transport.log().size(), 3u);
  EXPECT_NE(g.transport.log()[2]->request.body.find(
                json::serialize(json::value(sent2.substr(0, sent2.find_last_not_of(' ') + 1)))),
            std::string::npos);
}

TEST(Continuation, WhenNoRouteIsLeftTheClientIsToldTheAnswerIsCut) {
  TestGateway g(kConfig);
  const std::string first = openai_stream(kText);
  g.transport.add(sse(first.substr(0, first.size() / 3), reset()));
  const std::string second = anthropic_stream(kText);
  g.transport.add(sse(second.substr(0, 200), reset()));
  ClientView answer = g.chat(chat("m/oa-first"));
  ReadStream read = read_openai(answer.body);
  EXPECT_TRUE(read.error) << answer.body;
  EXPECT_FALSE(read.done);
  EXPECT_EQ(read.finishes, 0);
}

TEST(Continuation, AToolCallThatHadBegunIsNotContinued) {
  TestGateway g(kConfig);
  std::string stream =
      R"(data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m1","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get","arguments":"{\"ci"}}]},"finish_reason":null}]})"
      "\n\n";
  g.transport.add(sse(stream, reset()));
  ClientView answer = g.chat(chat("m/oa-first"));
  ReadStream read = read_openai(answer.body);
  EXPECT_TRUE(read.error) << answer.body;
  EXPECT_EQ(g.transport.log().size(), 1u) << "half a tool call's arguments cannot be finished by another model";
}

TEST(Continuation, ReasoningWithNoTextYetIsNotContinued) {
  TestGateway g(kConfig);
  std::string stream =
      R"(data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m1","choices":[{"index":0,"delta":{"role":"assistant","reasoning":"Let me think"},"finish_reason":null}]})"
      "\n\n";
  g.transport.add(sse(stream, reset()));
  ClientView answer = g.chat(chat("m/oa-first"));
  EXPECT_TRUE(read_openai(answer.body).error) << answer.body;
  EXPECT_EQ(g.transport.log().size(), 1u);
}

TEST(Continuation, WithoutTheSettingACutStreamEndsWithAnError) {
  TestGateway g(kConfig);
  const std::string recorded = openai_stream(kText);
  g.transport.add(sse(recorded.substr(0, recorded.size() / 2), reset()));
  ClientView answer = g.chat(chat("m/off"));
  EXPECT_TRUE(read_openai(answer.body).error);
  EXPECT_EQ(g.transport.log().size(), 1u);
}

TEST(Continuation, TheUsageAddsTheCutAttemptsEstimatedTokens) {
  TestGateway g(kConfig);
  const std::string recorded = openai_stream(kText);
  const std::size_t cut = recorded.find("lazy");
  const std::string sent = text_in_whole_events(Format::openai, recorded.substr(0, cut));
  const std::string prefill = sent.substr(0, sent.find_last_not_of(' ') + 1);
  g.transport.add(sse(recorded.substr(0, cut), reset()));
  g.transport.add(sse(anthropic_stream(kText.substr(prefill.size()))));
  std::string body = chat("m/oa-first");
  body.insert(body.size() - 1, R"(,"stream_options":{"include_usage":true})");
  ReadStream read = read_openai(g.chat(body).body);
  ASSERT_FALSE(read.usage.empty());
  // The continuation reported 12 in and 9 out; the cut attempt's output is its text at 4 bytes a token.
  EXPECT_EQ(read.usage.at("completion_tokens").as_int64(), 9 + static_cast<int64_t>((sent.size() + 3) / 4));
  EXPECT_GT(read.usage.at("prompt_tokens").as_int64(), 12);
}

}  // namespace
