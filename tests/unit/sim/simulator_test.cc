// The simulator over a real connection, as the gateway meets it: prefills continued, streams cut
// at a byte offset, and the providers' own refusals for a context overflow or a content policy.
#include "sim/simulator.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>
#include <regex>

#include "sim/sim_client.h"

using namespace switchyard;
using namespace switchyard::testing;
namespace json = boost::json;

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The `data:` payloads of an SSE body, in order ("[DONE]" left out).
std::vector<json::value> sse_payloads(const std::string& body) {
  std::vector<json::value> out;
  std::size_t at = 0;
  while ((at = body.find("data: ", at)) != std::string::npos) {
    std::size_t end = body.find('\n', at);
    std::string data = body.substr(at + 6, end - at - 6);
    if (!data.empty() && data.back() == '\r') data.pop_back();
    if (data != "[DONE]") out.push_back(json::parse(data));
    at = end;
  }
  return out;
}

// Where `full`, a stream of `model`, has what differs from one request to the next: ids, the
// creation time and the model name (offset, length each).
std::vector<std::pair<std::size_t, std::size_t>> volatile_spans(const std::string& full, const std::string& model) {
  static const std::regex ids(R"(sim[0-9a-f]{16}|"created":[0-9]{10})");
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for (auto it = std::sregex_iterator(full.begin(), full.end(), ids); it != std::sregex_iterator(); ++it)
    spans.emplace_back(it->position(), it->length());
  for (auto at = full.find(model); at != std::string::npos; at = full.find(model, at + 1))
    spans.emplace_back(at, model.size());
  return spans;
}

// `body` with `spans` masked, as far as it goes.
std::string masked(std::string body, const std::vector<std::pair<std::size_t, std::size_t>>& spans) {
  for (const auto& [at, length] : spans)
    if (at < body.size()) body.replace(at, std::min(length, body.size() - at), std::min(length, body.size() - at), '#');
  return body;
}

// One of the wire formats, asked for `model`'s answer to "hi" (with `prefill` as the final
// assistant turn when not empty), with `extra` top-level fields.
struct Format {
  std::string name;
  std::function<SimReply(sim::Simulator&, const std::string& model, bool stream, json::array messages,
                         json::object extra)>
      ask;
  std::function<std::string(const json::value&)> whole_text;
  std::function<std::string(const json::value&)> chunk_text;  // the text in one stream event
  std::string opening;                                        // what the first stream event holds
  std::string assistant_role;
};

const Format kOpenAI{
    "openai",
    [](sim::Simulator& s, const std::string& model, bool stream, json::array messages, json::object extra) {
      extra["model"] = model;
      extra["stream"] = stream;
      extra["messages"] = std::move(messages);
      return ask_simulator(s, "/openai/v1/chat/completions", json::serialize(extra), {{"authorization", "Bearer k"}});
    },
    [](const json::value& v) { return std::string(v.at("choices").at(0).at("message").at("content").as_string()); },
    [](const json::value& v) {
      const auto* content = v.at("choices").at(0).at("delta").as_object().if_contains("content");
      return content && content->is_string() ? std::string(content->get_string()) : std::string();
    },
    R"("delta":{"role":"assistant")",
    "assistant"};

const Format kAnthropic{
    "anthropic",
    [](sim::Simulator& s, const std::string& model, bool stream, json::array messages, json::object extra) {
      extra["model"] = model;
      extra["stream"] = stream;
      extra["messages"] = std::move(messages);
      if (!extra.contains("max_tokens")) extra["max_tokens"] = 100;
      return ask_simulator(s, "/anthropic/v1/messages", json::serialize(extra),
                           {{"x-api-key", "k"}, {"anthropic-version", "2023-06-01"}});
    },
    [](const json::value& v) { return std::string(v.at("content").at(0).at("text").as_string()); },
    [](const json::value& v) {
      if (v.at("type") != "content_block_delta") return std::string();
      return std::string(v.at("delta").at("text").as_string());
    },
    R"("type":"message_start")",
    "assistant"};

// Gemini's turns are {role, parts}: the messages are given as {role, content} and turned into those.
const Format kGemini{
    "gemini",
    [](sim::Simulator& s, const std::string& model, bool stream, json::array messages, json::object extra) {
      json::array contents;
      for (const auto& m : messages)
        contents.push_back(
            json::object{{"role", m.at("role")}, {"parts", json::array{json::object{{"text", m.at("content")}}}}});
      extra["contents"] = std::move(contents);
      std::string target =
          "/gemini/v1beta/models/" + model + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
      return ask_simulator(s, target, json::serialize(extra), {{"x-goog-api-key", "k"}});
    },
    [](const json::value& v) {
      return std::string(v.at("candidates").at(0).at("content").at("parts").at(0).at("text").as_string());
    },
    [](const json::value& v) {
      return std::string(v.at("candidates").at(0).at("content").at("parts").at(0).at("text").as_string());
    },
    R"("role":"model")",
    "model"};

const Format* const kFormats[] = {&kOpenAI, &kAnthropic, &kGemini};

// "hi", then `prefill` as the assistant's turn to continue (OpenAI's format marks it "prefix": true,
// as Mistral and DeepSeek take it: OpenAI's own API has no prefill).
json::array ask_hi(const Format& format, const std::string& prefill = "") {
  json::array messages{json::object{{"role", "user"}, {"content", "hi"}}};
  if (prefill.empty()) return messages;
  json::object turn{{"role", format.assistant_role}, {"content", prefill}};
  if (&format == &kOpenAI) turn["prefix"] = true;
  messages.push_back(std::move(turn));
  return messages;
}

std::string whole_text(const Format& format, const SimReply& reply) {
  return format.whole_text(json::parse(reply.body));
}

std::string streamed_text(const Format& format, const SimReply& reply) {
  std::string text;
  for (const auto& event : sse_payloads(reply.body)) text += format.chunk_text(event);
  return text;
}

class SimulatorTest : public ::testing::Test {
 protected:
  sim::Simulator simulator{sim::Defaults{}};
};

TEST_F(SimulatorTest, APrefillIsContinuedInEveryFormatWholeAndStreamed) {
  for (const Format* format : kFormats) {
    SCOPED_TRACE(format->name);
    SimReply plain = format->ask(simulator, "lorem~len=12", false, ask_hi(*format), {});
    ASSERT_EQ(plain.status, 200u) << plain.body;
    std::string full = whole_text(*format, plain);
    ASSERT_EQ(full, "The gateway routes every request to a healthy model, counts each token");
    const std::string prefill = "The gateway routes ever";

    SimReply whole = format->ask(simulator, "lorem~len=12", false, ask_hi(*format, prefill), {});
    ASSERT_EQ(whole.status, 200u) << whole.body;
    EXPECT_EQ(whole_text(*format, whole), "y request to a healthy model, counts each token");
    EXPECT_EQ(prefill + whole_text(*format, whole), full);

    SimReply streamed = format->ask(simulator, "lorem~len=12", true, ask_hi(*format, prefill), {});
    ASSERT_EQ(streamed.status, 200u) << streamed.body;
    EXPECT_TRUE(streamed.complete);
    EXPECT_EQ(prefill + streamed_text(*format, streamed), full);
    std::string first_event = json::serialize(sse_payloads(streamed.body).front());
    EXPECT_NE(first_event.find(format->opening), std::string::npos)
        << "the continuation opens as any answer does: " << first_event;
  }
}

TEST_F(SimulatorTest, AContinuationCountsThePrefillAsPromptAndOnlyWhatItSaysAsCompletion) {
  SimReply reply = kOpenAI.ask(simulator, "lorem~len=12", false, ask_hi(kOpenAI, "The gateway routes ever"), {});
  json::value usage = json::parse(reply.body).at("usage");
  EXPECT_EQ(usage.at("prompt_tokens"), 7) << "2 + 23 characters";
  EXPECT_EQ(usage.at("completion_tokens"), 9) << "'y' and the 8 words after it";

  SimReply anthropic =
      kAnthropic.ask(simulator, "lorem~len=12", true, ask_hi(kAnthropic, "The gateway routes ever"), {});
  std::vector<json::value> events = sse_payloads(anthropic.body);
  EXPECT_EQ(events.front().at("message").at("usage").at("input_tokens"), 7);
  EXPECT_EQ(events.back().at("type"), "message_stop");
  EXPECT_EQ(events[events.size() - 2].at("usage").at("output_tokens"), 9);
}

TEST_F(SimulatorTest, OpenAIFormatContinuesOnlyAMarkedPrefill) {
  SimReply prefix = kOpenAI.ask(simulator, "lorem~len=4", false, ask_hi(kOpenAI, "The gateway"), {});
  EXPECT_EQ(whole_text(kOpenAI, prefix), " routes every");
  json::array plain = ask_hi(kOpenAI);
  plain.push_back(json::object{{"role", "assistant"}, {"content", "The gateway"}});
  SimReply vllm = kOpenAI.ask(simulator, "lorem~len=4", false, plain,
                              {{"continue_final_message", true}, {"add_generation_prompt", false}});
  EXPECT_EQ(whole_text(kOpenAI, vllm), " routes every");
  SimReply openai = kOpenAI.ask(simulator, "lorem~len=4", false, plain, {});
  EXPECT_EQ(whole_text(kOpenAI, openai), "The gateway routes every") << "a final assistant message is answered anew";
}

TEST_F(SimulatorTest, APrefillTheAnswerDoesNotStartWithGetsTheWholeAnswer) {
  for (const Format* format : kFormats) {
    SCOPED_TRACE(format->name);
    SimReply reply = format->ask(simulator, "lorem~len=3", true, ask_hi(*format, "Certainly"), {});
    EXPECT_EQ(streamed_text(*format, reply), "The gateway routes");
  }
}

TEST_F(SimulatorTest, ACompletePrefillGetsAnEmptyContinuation) {
  for (const Format* format : kFormats) {
    SCOPED_TRACE(format->name);
    SimReply reply = format->ask(simulator, "lorem~len=3", true, ask_hi(*format, "The gateway routes"), {});
    EXPECT_TRUE(reply.complete);
    EXPECT_EQ(streamed_text(*format, reply), "");
    EXPECT_FALSE(sse_payloads(reply.body).empty());
  }
}

TEST_F(SimulatorTest, AnthropicRefusesAPrefillEndingInWhitespace) {
  SimReply reply = kAnthropic.ask(simulator, "lorem", false, ask_hi(kAnthropic, "The gateway "), {});
  EXPECT_EQ(reply.status, 400u);
  EXPECT_EQ(json::parse(reply.body), json::parse(R"({"type":"error","error":{"type":"invalid_request_error",
      "message":"messages: final assistant content cannot end with trailing whitespace"}})"));
}

TEST_F(SimulatorTest, LoremIsTheSameTextInEveryFormat) {
  std::vector<std::string> texts;
  for (const Format* format : kFormats)
    texts.push_back(whole_text(*format, format->ask(simulator, "lorem~len=40", false, ask_hi(*format), {})));
  EXPECT_EQ(texts[0].size(), 233u);
  EXPECT_EQ(texts[1], texts[0]);
  EXPECT_EQ(texts[2], texts[0]);
}

TEST_F(SimulatorTest, ACutStreamEndsAfterExactlyThatManyBytesWithAReset) {
  for (const Format* format : kFormats) {
    SCOPED_TRACE(format->name);
    // Model names of one length: the same stream but for the cut.
    SimReply full = format->ask(simulator, "lorem~len=20~ttft=00", true, ask_hi(*format), {});
    ASSERT_TRUE(full.complete);
    SimReply cut = format->ask(simulator, "lorem~len=20~cut=777", true, ask_hi(*format), {});
    EXPECT_EQ(cut.status, 200u);
    EXPECT_EQ(cut.body.size(), 777u);
    EXPECT_TRUE(cut.reset) << "the client sees an error";
    EXPECT_FALSE(cut.complete);
    EXPECT_FALSE(cut.body.ends_with("\n\n")) << "cut inside an event";
    auto spans = volatile_spans(full.body, "lorem~len=20~ttft=00");
    EXPECT_EQ(masked(cut.body, spans), masked(full.body, spans).substr(0, 777));
  }
}

TEST_F(SimulatorTest, ACutByPercentageEndsAtThatShareOfTheFullStream) {
  for (const Format* format : kFormats) {
    SCOPED_TRACE(format->name);
    SimReply full = format->ask(simulator, "lorem~len=20~ttft=00", true, ask_hi(*format), {});
    SimReply cut = format->ask(simulator, "lorem~len=20~cut=37%", true, ask_hi(*format), {});
    EXPECT_EQ(cut.body.size(), full.body.size() * 37 / 100);
    EXPECT_TRUE(cut.reset);
    EXPECT_FALSE(cut.complete);
    auto spans = volatile_spans(full.body, "lorem~len=20~ttft=00");
    EXPECT_EQ(masked(cut.body, spans), masked(full.body, spans).substr(0, cut.body.size()));
  }
}

TEST_F(SimulatorTest, ACutPastTheEndSendsEverythingButStillResets) {
  SimReply cut = kOpenAI.ask(simulator, "lorem~len=2~cut=99999", true, ask_hi(kOpenAI), {});
  EXPECT_TRUE(cut.body.ends_with("data: [DONE]\n\n"));
  EXPECT_TRUE(cut.reset);
  EXPECT_FALSE(cut.complete);
}

TEST_F(SimulatorTest, AnAnswerNotStreamedIsNeverCut) {
  SimReply reply = kOpenAI.ask(simulator, "lorem~len=20~cut=50%", false, ask_hi(kOpenAI), {});
  EXPECT_EQ(reply.status, 200u);
  EXPECT_TRUE(reply.complete);
  EXPECT_EQ(whole_text(kOpenAI, reply).size(), 122u);
}

TEST_F(SimulatorTest, ADroppedStreamStillEndsHalfwayWithAReset) {
  SimReply reply = kAnthropic.ask(simulator, "lorem~len=10~fault=drop", true, ask_hi(kAnthropic), {});
  EXPECT_TRUE(reply.reset);
  EXPECT_FALSE(reply.complete);
  EXPECT_EQ(streamed_text(kAnthropic, reply), "The gateway routes every request");
}

TEST_F(SimulatorTest, FailContextAnswersEachProvidersContextOverflow) {
  const std::pair<const Format*, const char*> expected[] = {
      {&kOpenAI,
       R"({"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 8193 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})"},
      {&kAnthropic,
       R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 8193 tokens > 8192 maximum"}})"},
      {&kGemini,
       R"({"error":{"code":400,"message":"The input token count (8193) exceeds the maximum number of tokens allowed (8192).","status":"INVALID_ARGUMENT"}})"}};
  for (const auto& [format, body] : expected) {
    SCOPED_TRACE(format->name);
    SimReply reply = format->ask(simulator, "echo~fail=context", true, ask_hi(*format), {});
    EXPECT_EQ(reply.status, 400u);
    EXPECT_EQ(reply.content_type, "application/json");
    EXPECT_EQ(json::parse(reply.body), json::parse(body));
  }
}

TEST_F(SimulatorTest, FailPolicyAnswersEachProvidersContentPolicyRefusal) {
  const std::pair<const Format*, const char*> expected[] = {
      {&kOpenAI,
       R"({"error":{"message":"Your request was rejected as a result of our safety system.","type":"invalid_request_error","param":null,"code":"content_policy_violation"}})"},
      {&kAnthropic,
       R"({"type":"error","error":{"type":"invalid_request_error","message":"Output blocked by content filtering policy"}})"},
      {&kGemini,
       R"({"error":{"code":400,"message":"The request was blocked by safety filters: blockReason PROHIBITED_CONTENT.","status":"INVALID_ARGUMENT"}})"}};
  for (const auto& [format, body] : expected) {
    SCOPED_TRACE(format->name);
    SimReply reply = format->ask(simulator, "echo~fail=policy", false, ask_hi(*format), {});
    EXPECT_EQ(reply.status, 400u);
    EXPECT_EQ(json::parse(reply.body), json::parse(body));
  }
}

TEST_F(SimulatorTest, FailFirstAppliesToRefusals) {
  const std::string model = "echo~fail=policy~fail_first=1~len=3";
  EXPECT_EQ(kOpenAI.ask(simulator, model, false, ask_hi(kOpenAI), {}).status, 400u);
  SimReply second = kOpenAI.ask(simulator, model, false, ask_hi(kOpenAI), {});
  EXPECT_EQ(second.status, 200u);
  EXPECT_EQ(whole_text(kOpenAI, second), "hi");
}

TEST_F(SimulatorTest, AContextWindowRefusesPromptPlusRequestedOutputOverIt) {
  const std::string question(198, 'q');  // with "hi" before it: 200 characters, 50 tokens
  auto ask = [&](const Format& format, json::object extra) {
    json::array messages = ask_hi(format);
    messages.push_back(json::object{{"role", format.assistant_role}, {"content", "ok"}});
    messages.push_back(json::object{{"role", "user"}, {"content", question.substr(2)}});
    return format.ask(simulator, "echo~ctx=100", false, messages, std::move(extra));
  };
  SimReply openai = ask(kOpenAI, {{"max_completion_tokens", 51}});
  EXPECT_EQ(openai.status, 400u);
  EXPECT_EQ(json::parse(openai.body).at("error").at("message"),
            "This model's maximum context length is 100 tokens. However, your messages resulted in 101 tokens. "
            "Please reduce the length of the messages.");
  EXPECT_EQ(ask(kOpenAI, {{"max_tokens", 50}}).status, 200u) << "50 + 50 fits";
  EXPECT_EQ(ask(kOpenAI, {}).status, 200u) << "no output asked for: 0";

  SimReply anthropic = ask(kAnthropic, {{"max_tokens", 60}});
  EXPECT_EQ(anthropic.status, 400u);
  EXPECT_EQ(json::parse(anthropic.body).at("error").at("message"), "prompt is too long: 110 tokens > 100 maximum");
  EXPECT_EQ(ask(kAnthropic, {{"max_tokens", 50}}).status, 200u);

  SimReply gemini = ask(kGemini, {{"generationConfig", {{"maxOutputTokens", 70}}}});
  EXPECT_EQ(gemini.status, 400u);
  EXPECT_EQ(json::parse(gemini.body).at("error").at("message"),
            "The input token count (120) exceeds the maximum number of tokens allowed (100).");
  EXPECT_EQ(ask(kGemini, {{"generationConfig", {{"maxOutputTokens", 50}}}}).status, 200u);
}

}  // namespace
