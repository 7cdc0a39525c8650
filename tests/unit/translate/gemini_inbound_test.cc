// Gemini clients (@google/genai, @ai-sdk/google) served by other providers: their requests read
// into chat, chat answers and streams written back in Gemini's form, embeddings both ways, and
// the signatures that must survive the trip.
#include "translate/gemini_inbound.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fixtures.h"
#include "translate/anthropic_request.h"
#include "translate/gemini_request.h"
#include "translate/gemini_response.h"
#include "translate/reasoning_token.h"
#include "translate/sse_events.h"

using namespace switchyard;
namespace json = boost::json;

namespace {

json::object chat_of(const json::object& request, std::string_view model = "m", bool stream = false) {
  auto result = chat_from_gemini(request, model, stream);
  if (auto* error = std::get_if<Error>(&result)) {
    ADD_FAILURE() << error->message;
    return {};
  }
  return std::get<json::object>(result);
}

// The Error a request body is refused with; its param must name the same field as its message.
Error refusal_of(std::string_view body) {
  auto result = chat_from_gemini(json::parse(body).as_object(), "m", false);
  if (!std::holds_alternative<Error>(result)) {
    ADD_FAILURE() << "accepted: " << body;
    return {};
  }
  Error error = std::get<Error>(result);
  EXPECT_EQ(error.kind, ErrorKind::bad_request);
  EXPECT_EQ(error.status, 400);
  EXPECT_TRUE(error.message.starts_with(error.param + " ")) << error.message << " / " << error.param;
  return error;
}

json::value answer_of(std::string_view completion, std::string_view model) {
  auto result = gemini_answer_from_chat(completion, model);
  if (auto* error = std::get_if<Error>(&result)) {
    ADD_FAILURE() << error->message;
    return nullptr;
  }
  return json::parse(std::get<std::string>(result));
}

// The data of every event a Gemini stream wrote, checking each is "data: <one line>\r\n\r\n".
std::vector<std::string> events_of(const std::string& out) {
  std::vector<std::string> events;
  for (std::size_t at = 0; at < out.size();) {
    std::size_t end = out.find("\r\n\r\n", at);
    EXPECT_NE(end, std::string::npos) << out.substr(at);
    if (end == std::string::npos) break;
    std::string event = out.substr(at, end - at);
    EXPECT_TRUE(event.starts_with("data: ")) << event;
    EXPECT_EQ(event.find('\n'), std::string::npos) << event;
    events.push_back(event.substr(6));
    at = end + 4;
  }
  return events;
}

// Runs a chat stream through the translator: the events it wrote, and the Error it ended with.
std::pair<std::vector<std::string>, std::optional<Error>> translate_stream(std::string_view sse,
                                                                           std::string model = "team/flash") {
  auto translator = gemini_stream_from_chat(std::move(model));
  std::string out;
  std::optional<Error> error;
  for (const auto& event : parse_sse_events(sse))
    if ((error = translator->on_event(event, out))) break;
  if (!error) error = translator->on_end(out);
  return {events_of(out), error};
}

}  // namespace

TEST(GeminiInbound, ReadsARecordedGenaiRequestIntoChat) {
  json::object request = json::parse(fixture("gemini/genai_request_agent.json")).as_object();
  EXPECT_EQ(chat_of(request, "team/stylist", true), json::parse(fixture("openai/chat_from_genai_agent.json")));
}

TEST(GeminiInbound, ReadsARecordedAiSdkRequestIntoChat) {
  // ai-sdk sends ids, JSON Schema, lower-case levels and the validator-skipping signature; the
  // signature on its thought part is Gemini's own, not one this gateway wrote: it is not Anthropic's.
  json::object request = json::parse(fixture("gemini/aisdk_request_tools.json")).as_object();
  EXPECT_EQ(chat_of(request, "gpt-5-mini"), json::parse(R"({
    "model": "gpt-5-mini",
    "messages": [
      {"role": "system", "content": "Be brief."},
      {"role": "user", "content": [{"type": "text", "text": "weather in Paris?"}]},
      {"role": "assistant", "content": null, "reasoning": "Checking the forecast.",
       "tool_calls": [{"id": "call_1", "type": "function",
                       "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"},
                       "thought_signature": "skip_thought_signature_validator"}]},
      {"role": "tool", "tool_call_id": "call_1", "content": "{\"name\":\"get_weather\",\"content\":{\"temp\":21}}"}],
    "max_completion_tokens": 512, "temperature": 0, "reasoning_effort": "low",
    "tools": [
      {"type": "function", "function": {"name": "get_weather", "description": "",
        "parameters": {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
                       "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": false}}},
      {"type": "function", "function": {"name": "get_time", "description": "", "parameters": {"type": "object", "properties": {}}}}],
    "tool_choice": {"type": "function", "function": {"name": "get_weather"}}})"));
}

TEST(GeminiInbound, ARequestGoesThroughChatToAGeminiProviderUnchanged) {
  for (const char* name : {"gemini/request_roundtrip.json", "gemini/request_from_openai_tools.json"}) {
    json::object request = json::parse(fixture(name)).as_object();
    auto back = gemini_request_from_openai(chat_of(request));
    ASSERT_TRUE(std::holds_alternative<json::object>(back)) << name << ": " << std::get<Error>(back).message;
    EXPECT_EQ(std::get<json::object>(back), request) << name;
  }
}

TEST(GeminiInbound, PairsFunctionResponsesWithTheirCalls) {
  // By id when the response has one that was seen, else the earliest unanswered call of its name.
  json::object chat = chat_of(json::parse(R"({"contents":[
    {"role":"user","parts":[{"text":"go"}]},
    {"role":"model","parts":[{"functionCall":{"name":"f","args":{"n":1}}},{"functionCall":{"name":"f","args":{"n":2}}},
                             {"functionCall":{"id":"abc","name":"g"}}]},
    {"parts":[{"functionResponse":{"id":"abc","name":"g","response":{}}},
              {"functionResponse":{"name":"f","response":{"n":1}}},
              {"functionResponse":{"id":"unknown","name":"f","response":{"n":2}}}]}]})")
                                  .as_object());
  const json::array& messages = chat.at("messages").as_array();
  ASSERT_EQ(messages.size(), 5u);
  EXPECT_EQ(messages[1].at("tool_calls").at(0).at("id"), "call_1_0");
  EXPECT_EQ(messages[1].at("tool_calls").at(1).at("id"), "call_1_1");
  EXPECT_EQ(messages[1].at("tool_calls").at(2).at("id"), "abc");
  EXPECT_EQ(messages[2], json::parse(R"({"role":"tool","tool_call_id":"abc","content":"{}"})"));
  EXPECT_EQ(messages[3].at("tool_call_id"), "call_1_0");
  EXPECT_EQ(messages[4].at("tool_call_id"), "call_1_1");
}

TEST(GeminiInbound, MapsToolChoicesAndThinking) {
  auto chat = [](std::string_view fields) {
    return chat_of(json::parse(R"({"contents":[{"parts":[{"text":"x"}]}],"tools":[{"functionDeclarations":[
        {"name":"a"},{"name":"b"},{"name":"c"}]},{"googleSearch":{}}],)" +
                               std::string(fields) + "}")
                       .as_object());
  };
  // ANY with several names: required, and only those functions (the search stays).
  json::object any = chat(R"("toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["a","c"]}})");
  EXPECT_EQ(any.at("tool_choice"), "required");
  EXPECT_EQ(any.at("tools"), json::parse(R"([{"type":"function","function":{"name":"a"}},
    {"type":"function","function":{"name":"c"}},{"type":"web_search"}])"));
  EXPECT_EQ(chat(R"("toolConfig":{"functionCallingConfig":{"mode":"NONE"}})").at("tool_choice"), "none");
  EXPECT_EQ(chat(R"("toolConfig":{"functionCallingConfig":{"mode":"VALIDATED"}})").at("tool_choice"), "auto");
  EXPECT_FALSE(chat(R"("toolConfig":{"functionCallingConfig":{}})").contains("tool_choice"));
  // No tools: no tool_choice, which OpenAI refuses alone.
  EXPECT_FALSE(chat_of(json::parse(R"({"contents":[{"parts":[{"text":"x"}]}],
      "toolConfig":{"functionCallingConfig":{"mode":"ANY"}}})")
                           .as_object())
                   .contains("tool_choice"));

  auto effort = [&](std::string_view thinking) {
    json::object out = chat(R"("generationConfig":{"thinkingConfig":)" + std::string(thinking) + "}");
    return out.contains("reasoning_effort") ? std::string(out.at("reasoning_effort").as_string()) : "(none)";
  };
  EXPECT_EQ(effort(R"({"thinkingLevel":"HIGH"})"), "high");
  EXPECT_EQ(effort(R"({"thinkingLevel":"minimal"})"), "minimal");
  EXPECT_EQ(effort(R"({"thinkingLevel":"xhigh"})"), "high");
  EXPECT_EQ(effort(R"({"thinkingBudget":512})"), "low");
  EXPECT_EQ(effort(R"({"thinkingBudget":30000})"), "high");
  EXPECT_EQ(effort(R"({"thinkingBudget":0})"), "(none)");   // thinking off
  EXPECT_EQ(effort(R"({"thinkingBudget":-1})"), "(none)");  // the model decides
  EXPECT_EQ(effort(R"({"includeThoughts":true})"), "(none)");

  // JSON without a schema; responseJsonSchema as it is.
  EXPECT_EQ(chat(R"("generationConfig":{"responseMimeType":"application/json"})").at("response_format"),
            json::parse(R"({"type":"json_object"})"));
  EXPECT_EQ(chat(R"("generationConfig":{"responseMimeType":"application/json","responseJsonSchema":{"type":"object",
      "additionalProperties":false}})")
                .at("response_format"),
            json::parse(R"({"type":"json_schema","json_schema":{"name":"response",
              "schema":{"type":"object","additionalProperties":false}}})"));
  EXPECT_FALSE(chat(R"("generationConfig":{"responseMimeType":"text/plain","responseLogprobs":true,"logprobs":3})")
                   .contains("response_format"));
  EXPECT_EQ(chat(R"("generationConfig":{"responseLogprobs":true,"logprobs":3})").at("top_logprobs"), 3);
}

TEST(GeminiInbound, RefusesWhatItCannotReadNamingTheField) {
  auto message = [](std::string_view body) { return refusal_of(body).message; };
  EXPECT_EQ(message("{}"), "contents is required (a non-empty list of contents)");
  EXPECT_EQ(message(R"({"contents":"hi"})"), "contents must be a list");
  EXPECT_EQ(message(R"({"contents":[5]})"), "contents[0] must be an object");
  EXPECT_EQ(message(R"({"contents":[{"role":"user"}]})"), "contents[0].parts is required (a list of parts)");
  EXPECT_EQ(message(R"({"contents":[{"role":"system","parts":[{"text":"x"}]}]})"),
            "contents[0].role must be 'user' or 'model'");
  EXPECT_EQ(message(R"({"contents":[{"parts":[{"text":"x"}]},{"role":"model","parts":[{"text":"y"}]},
                                    {"role":"model","parts":[{"functionCall":{"name":7}}]}]})"),
            "contents[2].parts[0].functionCall.name must be a string");
  EXPECT_EQ(message(R"({"contents":[{"role":"model","parts":[{"functionCall":{"name":"f","args":"x"}}]}]})"),
            "contents[0].parts[0].functionCall.args must be an object");
  EXPECT_EQ(message(R"({"contents":[{"role":"model","parts":[{"functionCall":{"args":{}}}]}]})"),
            "contents[0].parts[0].functionCall.name is required (a non-empty string)");
  EXPECT_EQ(message(R"({"contents":[{"parts":[{"functionResponse":{"name":"lookup","response":{}}}]}]})"),
            "contents[0].parts[0].functionResponse.name 'lookup' answers no earlier functionCall");
  EXPECT_EQ(message(R"({"contents":[{"parts":[{"text":1}]}]})"), "contents[0].parts[0].text must be a string");
  EXPECT_EQ(
      message(R"({"contents":[{"parts":[{"fileData":{"mimeType":"application/pdf","fileUri":"gs://b/a.pdf"}}]}]})"),
      "contents[0].parts[0].fileData.fileUri must be the http(s) URL of an image: other files cannot be sent "
      "to this model's provider");
  EXPECT_EQ(message(R"({"contents":[{"parts":[{"inlineData":{"data":"AAAA"}}]}]})"),
            "contents[0].parts[0].inlineData.mimeType is required (a non-empty string)");
  EXPECT_EQ(message(R"({"contents":[{"parts":[{"videoMetadata":{}}]}]})"),
            "contents[0].parts[0] must hold text, inlineData, fileData or functionResponse in a user turn");
  EXPECT_EQ(message(R"({"contents":[{"role":"model","parts":[{"executableCode":{"code":"1"}}]}]})"),
            "contents[0].parts[0] cannot be sent to this model's provider: a model turn may hold text, thought and "
            "functionCall parts");
  EXPECT_EQ(message(R"({"contents":[{"parts":[{"text":"x"}]}],"systemInstruction":{"parts":[{"inlineData":{}}]}})"),
            "systemInstruction.parts[0].text is required (a system instruction holds text only)");
  EXPECT_EQ(message(R"({"contents":[{"parts":[{"text":"x"}]}],"cachedContent":"cachedContents/1"})"),
            "cachedContent cannot be sent to this model's provider");
  EXPECT_EQ(message(R"({"contents":[{"parts":[{"text":"x"}]}],"tools":[{"codeExecution":{}}]})"),
            "tools[0].codeExecution cannot be sent to this model's provider");
  EXPECT_EQ(
      message(R"({"contents":[{"parts":[{"text":"x"}]}],"tools":[{"functionDeclarations":[{"description":"d"}]}]})"),
      "tools[0].functionDeclarations[0].name is required (a non-empty string)");
  EXPECT_EQ(message(R"({"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"temperature":"hot"}})"),
            "generationConfig.temperature must be a number");
  EXPECT_EQ(message(R"({"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"maxOutputTokens":1.5}})"),
            "generationConfig.maxOutputTokens must be a whole number");
  EXPECT_EQ(message(R"({"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"stopSequences":["a",1]}})"),
            "generationConfig.stopSequences[1] must be a string");
  EXPECT_EQ(message(R"({"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"responseMimeType":"text/x.enum"}})"),
            "generationConfig.responseMimeType 'text/x.enum' cannot be sent to this model's provider");
  EXPECT_EQ(message(R"({"contents":[{"parts":[{"text":"x"}]}],
                        "generationConfig":{"thinkingConfig":{"thinkingLevel":"EXTREME"}}})"),
            "generationConfig.thinkingConfig.thinkingLevel must be MINIMAL, LOW, MEDIUM or HIGH");
  EXPECT_EQ(message(R"({"contents":[{"parts":[{"text":"x"}]}],"tools":[{"functionDeclarations":[{"name":"f"}]}],
                        "toolConfig":{"functionCallingConfig":{"mode":"SOMETIMES"}}})"),
            "toolConfig.functionCallingConfig.mode must be AUTO, ANY, NONE or VALIDATED");
  EXPECT_EQ(refusal_of(R"({"contents":[{"parts":[{"text":1}]}],"generationConfig":{"temperature":"hot"}})").param,
            "contents[0].parts[0].text");  // the first field at fault
}

TEST(GeminiInbound, WritesARecordedChatAnswerAsGemini) {
  auto result = gemini_answer_from_chat(fixture("openai/response_tool_call.json"), "team/gpt");
  ASSERT_TRUE(std::holds_alternative<std::string>(result));
  EXPECT_EQ(std::get<std::string>(result),
            R"({"candidates":[{"content":{"parts":[{"text":"Checking."},{"functionCall":{"id":"call_abc123",)"
            R"("name":"get_weather","args":{"location":"Boston, MA"}}}],"role":"model"},"finishReason":"STOP",)"
            R"("index":0}],"usageMetadata":{"promptTokenCount":1117,"candidatesTokenCount":46,"totalTokenCount":1163,)"
            R"("cachedContentTokenCount":1024},"modelVersion":"team/gpt",)"
            R"("responseId":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG"})");
}

TEST(GeminiInbound, AGeminiAnswerGoesThroughChatAndComesBackTheSame) {
  // A Gemini provider's answer read into chat and written back: the same, plus the call's id.
  std::string original = fixture("gemini/response_function_call.json");
  auto chat = openai_response_from_gemini(original, 1);
  ASSERT_TRUE(std::holds_alternative<std::string>(chat));
  json::value expected = json::parse(original);
  expected.at("candidates").at(0).at("content").at("parts").at(1).at("functionCall").as_object()["id"] = "call_0";
  EXPECT_EQ(answer_of(std::get<std::string>(chat), "gemini-2.5-flash"), expected);
}

TEST(GeminiInbound, AnswersEveryChoiceInGeminiWords) {
  EXPECT_EQ(answer_of(R"({"id":"c","choices":[
      {"message":{"role":"assistant","content":"cut"},"finish_reason":"length"},
      {"message":{"role":"assistant","content":null,"refusal":"I can't."},"finish_reason":"content_filter"},
      {"message":{"role":"assistant","content":""},"finish_reason":"stop"}]})",
                      "m"),
            json::parse(R"({"candidates":[
      {"content":{"parts":[{"text":"cut"}],"role":"model"},"finishReason":"MAX_TOKENS","index":0},
      {"content":{"parts":[{"text":"I can't."}],"role":"model"},"finishReason":"SAFETY","index":1},
      {"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"STOP","index":2}],
      "modelVersion":"m","responseId":"c"})"));
  for (const char* bad : {"not json", R"({"choices":[]})", R"({"choices":[{"message":{}},7]})"}) {
    auto result = gemini_answer_from_chat(bad, "m");
    ASSERT_TRUE(std::holds_alternative<Error>(result)) << bad;
    EXPECT_EQ(std::get<Error>(result).kind, ErrorKind::upstream_failed) << bad;
  }
}

TEST(GeminiInbound, StreamsARecordedChatStreamEventByEvent) {
  auto [events, error] = translate_stream(fixture("openai/stream_tool_calls.sse"));
  ASSERT_FALSE(error) << error->message;
  const std::string tail = R"(,"modelVersion":"team/flash","responseId":"chatcmpl-2"})";
  EXPECT_EQ(events,
            (std::vector<std::string>{
                R"({"candidates":[{"content":{"parts":[{"text":"Let me look."}],"role":"model"},"index":0}])" + tail,
                // the first call, whole, once the second begins
                R"({"candidates":[{"content":{"parts":[{"functionCall":{"id":"call_1","name":"get_weather",)"
                R"("args":{"location":"Paris"}}}],"role":"model"},"index":0}])" +
                    tail,
                // the last call, the finish and the usage, at [DONE]
                R"({"candidates":[{"content":{"parts":[{"functionCall":{"id":"call_2","name":"get_time","args":{}}}],)"
                R"("role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":300,)"
                R"("candidatesTokenCount":40,"totalTokenCount":340,"cachedContentTokenCount":256})" +
                    tail}));
}

TEST(GeminiInbound, AnthropicSignedThinkingSurvivesAGeminiClientsStreamedHistory) {
  const std::string signature =
      "ErUBCkYIBxgCIkB9fMvPq1mJc0N3lX2rHc8vQ5x9ZsKt7yWb4EUd0T2aVnR6oLgF3jS8hPy1ZzMxNwEgDPk5tQ";
  auto [events, error] = translate_stream(fixture("responses/chat_stream_reasoning_tools.sse"), "team/claude");
  ASSERT_FALSE(error) << error->message;
  const std::string tail = R"(],"role":"model"},"index":0}],"modelVersion":"team/claude",)"
                           R"("responseId":"msg_01XFDUDYJgAACzvnptvVoYEL"})";
  const std::string head = R"({"candidates":[{"content":{"parts":[)";
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events[0], head + R"({"text":"The user wants Oslo's weather tomorrow","thought":true})" + tail);
  EXPECT_EQ(events[1], head + R"({"text":" and the time there. Two tools, one call each.","thought":true})" + tail);
  EXPECT_EQ(events[2], head + R"({"text":"","thought":true,"thoughtSignature":")" +
                           write_thought_signature({{}, signature, {}}) + R"("})" + tail);
  EXPECT_EQ(events[3], head + R"({"text":"I'll look up the forecast"})" + tail);
  EXPECT_EQ(events[4], head + R"({"text":" and the local time."})" + tail);
  EXPECT_EQ(events[5], head +
                           R"({"functionCall":{"id":"toolu_01Wx9kLm3","name":"get_forecast",)"
                           R"("args":{"city":"Oslo","days":1}}})" +
                           tail);
  EXPECT_EQ(events[6], head + R"({"functionCall":{"id":"toolu_01Tz4hNq8","name":"get_time",)"
                              R"("args":{"timezone":"Europe/Oslo"}}}],"role":"model"},"finishReason":"STOP",)"
                              R"("index":0}],"usageMetadata":{"promptTokenCount":2620,"candidatesTokenCount":93,)"
                              R"("totalTokenCount":2761,"cachedContentTokenCount":2048,"thoughtsTokenCount":48},)"
                              R"("modelVersion":"team/claude","responseId":"msg_01XFDUDYJgAACzvnptvVoYEL"})");

  // A genai chat keeps each event's content as a model turn of its own, and sends them back.
  json::array contents{json::object{{"role", "user"}, {"parts", json::array{json::object{{"text", "Oslo?"}}}}}};
  for (const auto& event : events) contents.push_back(json::parse(event).at("candidates").at(0).at("content"));
  contents.push_back(json::parse(R"({"role":"user","parts":[
      {"functionResponse":{"id":"toolu_01Wx9kLm3","name":"get_forecast","response":{"sky":"clear"}}},
      {"functionResponse":{"id":"toolu_01Tz4hNq8","name":"get_time","response":{"time":"10:00"}}}]})"));
  json::object chat = chat_of(json::object{{"contents", std::move(contents)}}, "team/claude");
  EXPECT_EQ(chat.at("messages").at(1), json::parse(R"({"role":"assistant",
      "content":"I'll look up the forecast and the local time.",
      "reasoning":"The user wants Oslo's weather tomorrow and the time there. Two tools, one call each.",
      "reasoning_signature":")" + signature + R"(",
      "tool_calls":[
        {"id":"toolu_01Wx9kLm3","type":"function","function":{"name":"get_forecast","arguments":"{\"city\":\"Oslo\",\"days\":1}"}},
        {"id":"toolu_01Tz4hNq8","type":"function","function":{"name":"get_time","arguments":"{\"timezone\":\"Europe/Oslo\"}"}}]})"));
  // ... which Anthropic gets back as the thinking block it signed.
  auto anthropic = anthropic_request_from_openai(chat, "claude-sonnet-4-5");
  ASSERT_TRUE(std::holds_alternative<json::object>(anthropic));
  EXPECT_EQ(std::get<json::object>(anthropic).at("messages").at(1).at("content").at(0),
            json::parse(R"({"type":"thinking","thinking":"The user wants Oslo's weather tomorrow and the time there. )"
                        R"(Two tools, one call each.","signature":")" +
                        signature + R"("})"));
}

TEST(GeminiInbound, AnAnswersThoughtSignatureComesBackAsTheReasoningSignature) {
  json::value answer = answer_of(fixture("responses/chat_completion_reasoning_tools.json"), "team/claude");
  json::value content = answer.at("candidates").at(0).at("content");
  json::object chat =
      chat_of(json::object{{"contents", json::array{json::parse(R"({"parts":[{"text":"Oslo?"}]})"), content}}});
  const json::object& message = chat.at("messages").at(1).as_object();
  EXPECT_EQ(message.at("reasoning"),
            "The user wants Oslo's weather tomorrow and the time there. Two tools, one call each.");
  EXPECT_EQ(message.at("reasoning_signature"),
            "ErUBCkYIBxgCIkB9fMvPq1mJc0N3lX2rHc8vQ5x9ZsKt7yWb4EUd0T2aVnR6oLgF3jS8hPy1ZzMxNwEgDPk5tQ");
  EXPECT_EQ(message.at("tool_calls").as_array().size(), 2u);
}

TEST(GeminiInbound, StreamsEveryChoiceAndFinishesEachAtDone) {
  auto [events, error] = translate_stream(
      R"(data: {"id":"c","choices":[{"index":0,"delta":{"content":"a"}},{"index":1,"delta":{"content":"b"}}]}

data: {"id":"c","choices":[{"index":1,"delta":{},"finish_reason":"length"},{"index":0,"delta":{},"finish_reason":"stop"}]}

data: [DONE]

)",
      "m");
  ASSERT_FALSE(error) << error->message;
  EXPECT_EQ(
      events,
      (std::vector<std::string>{
          R"({"candidates":[{"content":{"parts":[{"text":"a"}],"role":"model"},"index":0},)"
          R"({"content":{"parts":[{"text":"b"}],"role":"model"},"index":1}],"modelVersion":"m","responseId":"c"})",
          R"({"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"STOP","index":0},)"
          R"({"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"MAX_TOKENS","index":1}],)"
          R"("modelVersion":"m","responseId":"c"})"}));
}

TEST(GeminiInbound, ACutStreamIsAnErrorAndNeverLooksFinished) {
  std::string transcript = fixture("openai/stream_transcript.sse");
  auto [cut_events, cut] = translate_stream(transcript.substr(0, transcript.find("data: [DONE]")));
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->kind, ErrorKind::upstream_failed);
  EXPECT_FALSE(cut_events.empty());
  for (const auto& event : cut_events) EXPECT_EQ(event.find("finishReason"), std::string::npos) << event;

  // [DONE] without a finish_reason, for any choice.
  auto [unfinished_events, unfinished] =
      translate_stream("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\ndata: [DONE]\n\n");
  ASSERT_TRUE(unfinished);
  EXPECT_EQ(unfinished->message, "the provider's stream ended without a finish_reason");
  EXPECT_EQ(unfinished_events.size(), 1u);

  auto [failed_events, failed] = translate_stream("data: {\"error\":{\"message\":\"overloaded\"}}\n\n");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->message, "provider error in stream: overloaded");
  EXPECT_TRUE(failed_events.empty());
}

TEST(GeminiInbound, ReadsEmbeddingRequestsOfBothSdks) {
  auto request = [](std::string_view body, bool batch) {
    auto result = embeddings_from_gemini(json::parse(body).as_object(), "team/embed", batch);
    if (auto* error = std::get_if<Error>(&result)) ADD_FAILURE() << error->message;
    return std::holds_alternative<json::object>(result) ? std::get<json::object>(result) : json::object{};
  };
  // genai (always a batch) and ai-sdk with several values.
  EXPECT_EQ(request(R"({"requests":[
      {"content":{"role":"user","parts":[{"text":"a"}]},"taskType":"RETRIEVAL_DOCUMENT","title":"t","outputDimensionality":64,"model":"models/e"},
      {"content":{"role":"user","parts":[{"text":"b"},{"text":"c"}]},"taskType":"RETRIEVAL_DOCUMENT","title":"t","outputDimensionality":64,"model":"models/e"}]})",
                    true),
            json::parse(R"({"model":"team/embed","input":["a","b\nc"],"encoding_format":"float","dimensions":64})"));
  // ai-sdk with one value: embedContent.
  EXPECT_EQ(request(R"({"model":"models/e","content":{"parts":[{"text":"a"}]}})", false),
            json::parse(R"({"model":"team/embed","input":["a"],"encoding_format":"float"})"));

  auto refused = [](std::string_view body, bool batch) {
    auto result = embeddings_from_gemini(json::parse(body).as_object(), "m", batch);
    if (!std::holds_alternative<Error>(result)) return std::string("(accepted)");
    EXPECT_EQ(std::get<Error>(result).kind, ErrorKind::bad_request);
    return std::get<Error>(result).message;
  };
  EXPECT_EQ(refused(R"({"requests":[]})", true), "requests is required (a list of 1 to 2048 requests)");
  EXPECT_EQ(refused(R"({})", false), "content is required");
  EXPECT_EQ(refused(R"({"requests":[{"content":{}}]})", true), "requests[0].content.parts is required");
  EXPECT_EQ(
      refused(R"({"requests":[{"content":{"parts":[{"inlineData":{"mimeType":"image/png","data":"AA=="}}]}}]})", true),
      "requests[0].content.parts[0] cannot be sent to this model's provider: only text is embedded there");
  EXPECT_EQ(refused(R"({"requests":[{"content":{"parts":[{"text":"a"}]},"outputDimensionality":8},
                                    {"content":{"parts":[{"text":"b"}]}}]})",
                    true),
            "requests[1].outputDimensionality must be the same in every request");
  EXPECT_EQ(refused(R"({"content":{"parts":[{"text":"a"}]},"outputDimensionality":0})", false),
            "outputDimensionality must be positive");
}

TEST(GeminiInbound, WritesEmbeddingAnswersInInputOrder) {
  const std::string answer = R"({"object":"list","model":"text-embedding-3-small",
    "data":[{"object":"embedding","index":1,"embedding":[0.3,-4]},{"object":"embedding","index":0,"embedding":[0.1,0.2]}],
    "usage":{"prompt_tokens":5,"total_tokens":5}})";
  auto batch = gemini_embeddings_from_openai(answer, true);
  ASSERT_TRUE(std::holds_alternative<std::string>(batch));
  EXPECT_EQ(std::get<std::string>(batch), R"({"embeddings":[{"values":[0.1,0.2]},{"values":[0.3,-4]}],)"
                                          R"("usageMetadata":{"promptTokenCount":5,"totalTokenCount":5}})");
  auto one = gemini_embeddings_from_openai(R"({"data":[{"embedding":[1.5]}]})", false);
  ASSERT_TRUE(std::holds_alternative<std::string>(one));
  EXPECT_EQ(std::get<std::string>(one), R"({"embedding":{"values":[1.5]}})");
  for (const char* bad : {"[]", R"({"data":[]})", R"({"data":[{"embedding":"AAAA"}]})",
                          R"({"data":[{"index":0,"embedding":[1]},{"index":0,"embedding":[2]}]})",
                          R"({"data":[{"index":5,"embedding":[1]}]})"}) {
    auto result = gemini_embeddings_from_openai(bad, true);
    ASSERT_TRUE(std::holds_alternative<Error>(result)) << bad;
    EXPECT_EQ(std::get<Error>(result).kind, ErrorKind::upstream_failed) << bad;
  }
}

TEST(GeminiInbound, ErrorsInGoogleShape) {
  EXPECT_EQ(gemini_error_body(make_error(ErrorKind::bad_request, "contents is required")),
            R"({"error":{"code":400,"message":"contents is required","status":"INVALID_ARGUMENT"}})");
  EXPECT_EQ(json::parse(gemini_error_body(make_error(ErrorKind::unauthorized, "no key"))).at("error").at("status"),
            "UNAUTHENTICATED");
  EXPECT_EQ(json::parse(gemini_error_body(upstream_status_error("p", 429, "slow down"))).at("error").at("status"),
            "RESOURCE_EXHAUSTED");
  EXPECT_EQ(json::parse(gemini_error_body(make_error(ErrorKind::upstream_timeout, "late"))).at("error").at("status"),
            "DEADLINE_EXCEEDED");
  EXPECT_EQ(json::parse(gemini_error_body(make_error(ErrorKind::internal, "bug"))).at("error").at("status"),
            "INTERNAL");
}

TEST(GeminiInbound, APassedThroughStreamIsCutUnlessItNamedAFinishReason) {
  auto relay = [](std::string_view body) {
    auto translator = gemini_stream_passthrough();
    std::string out;
    for (const auto& event : parse_sse_events(body)) EXPECT_FALSE(translator->on_event(event, out));
    return std::pair{out, translator->on_end(out)};
  };
  const std::string whole = fixture("gemini/stream_transcript.sse");
  auto [out, cut] = relay(whole);
  EXPECT_FALSE(cut);
  EXPECT_EQ(parse_sse_events(out).size(), parse_sse_events(whole).size());
  EXPECT_EQ(parse_sse_events(out).back().data, parse_sse_events(whole).back().data);  // unchanged
  auto [partial, error] = relay(R"(data: {"candidates":[{"content":{"parts":[{"text":"Hal"}],"role":"model"}}]})"
                                "\r\n\r\n");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, ErrorKind::upstream_failed);
}
