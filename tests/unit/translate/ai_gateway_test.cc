// The Vercel AI Gateway protocol (@ai-sdk/gateway's wire format): call options as AI SDK clients
// send them read into chat, and chat answers, streams and embeddings written back as generate
// results, stream parts and embed results in the shapes of spec versions 2 and 4.
#include "translate/ai_gateway.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fixtures.h"
#include "translate/anthropic_request.h"
#include "translate/gemini_request.h"
#include "translate/json_parse.h"
#include "translate/sse_events.h"
#include "translate/sse_splitter.h"

using namespace switchyard;
namespace json = boost::json;

namespace {

const std::string kClaude = "anthropic/claude-sonnet-4.5";
const std::string kGenerationId = "gen_01KB7Z6M8Q3R4S5T6V7W8X9Y0Z";

json::object chat_of(std::string_view options, std::string_view model = kClaude, bool stream = false) {
  auto result = chat_from_call_options(json::parse(options).as_object(), model, stream);
  if (auto* error = std::get_if<Error>(&result)) {
    ADD_FAILURE() << error->message;
    return {};
  }
  return std::get<json::object>(std::move(result));
}

Error error_of(std::string_view options) {
  auto result = chat_from_call_options(json::parse(options).as_object(), kClaude, false);
  if (!std::holds_alternative<Error>(result)) {
    ADD_FAILURE() << "no error for " << options;
    return {};
  }
  return std::get<Error>(result);
}

// Call options whose prompt is one message of `role` with the parts `content` (JSON).
std::string one_message(std::string_view role, std::string_view content) {
  return R"({"prompt":[{"role":")" + std::string(role) + R"(","content":)" + std::string(content) + "}]}";
}

// The chat messages for a prompt of one message of `role` with the parts `content` (JSON).
json::array messages_of(std::string_view role, std::string_view content) {
  return chat_of(one_message(role, content)).at("messages").as_array();
}

json::value generated(std::string_view completion, SpecVersion version) {
  auto result = generate_result_from_chat(completion, version);
  if (auto* error = std::get_if<Error>(&result)) {
    ADD_FAILURE() << error->message;
    return {};
  }
  return json::parse(std::get<std::string>(result));
}

// The parts in a translator's output: every event is a bare `data:` line holding one JSON object.
std::vector<json::object> parts_in(std::string_view out) {
  std::vector<json::object> parts;
  for (auto& event : parse_sse_events(out)) {
    EXPECT_TRUE(event.name.empty()) << event.name;
    parts.push_back(json::parse(event.data).as_object());
  }
  return parts;
}

struct Run {
  std::vector<json::object> parts;
  std::optional<Error> error;
};

// Everything a stream translator writes for the SSE `transcript`, fed in pieces of `step` bytes;
// a failure is written as the translator writes it.
Run run(std::string_view transcript, SpecVersion version = SpecVersion::v4, std::size_t step = 1 << 20) {
  auto translator = stream_parts_from_chat(version, kClaude);
  SseSplitter splitter;
  std::string out;
  std::optional<Error> error;
  for (std::size_t i = 0; i < transcript.size() && !error; i += step)
    for (const auto& event : parse_sse_events(splitter.feed(transcript.substr(i, step))))
      if ((error = translator->on_event(event, out))) break;
  if (!error) error = translator->on_end(out);
  if (error) {
    EXPECT_TRUE(translator->write_error(*error, out));
  }
  return {parts_in(out), error};
}

std::vector<json::object> expected_parts(const std::string& jsonl) {
  std::vector<json::object> parts;
  std::string text = fixture(jsonl);
  for (std::size_t start = 0, end; start < text.size(); start = end + 1) {
    end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) parts.push_back(json::parse(text.substr(start, end - start)).as_object());
  }
  return parts;
}

// One chat.completion.chunk event: `choices` (JSON) and more top-level members.
std::string chunk(std::string_view choices, std::string_view more = "") {
  return R"(data: {"id":"gen_1","object":"chat.completion.chunk","created":1764619200,"model":"m","choices":)" +
         std::string(choices) + std::string(more) + "}\n\n";
}

std::string delta(std::string_view delta, std::string_view finish_reason = "null") {
  return chunk(R"([{"index":0,"delta":)" + std::string(delta) + R"(,"finish_reason":)" + std::string(finish_reason) +
               "}]");
}

std::vector<std::string> types_of(const std::vector<json::object>& parts) {
  std::vector<std::string> types;
  for (const auto& part : parts) types.emplace_back(part.at("type").as_string());
  return types;
}

}  // namespace

// --- call options -> chat ---

TEST(AiGatewayRequest, TheProtocolDocsExampleBecomesChat) {
  auto chat = chat_of(fixture("ai_gateway/request_generate_text.json"));
  EXPECT_EQ(chat, json::parse(fixture("ai_gateway/chat_from_generate_text.json"))) << serialize_json(chat);
}

TEST(AiGatewayRequest, AGenerateObjectRequestAsksForItsSchemaUnderTheDefaultName) {
  auto chat = chat_of(fixture("ai_gateway/request_generate_object.json"), "openai/gpt-4o-mini");
  EXPECT_EQ(chat, json::parse(fixture("ai_gateway/chat_from_generate_object.json"))) << serialize_json(chat);
}

TEST(AiGatewayRequest, AToolLoopsSecondTurnKeepsGeminisSignatureAndAStreamAsksForUsage) {
  auto chat = chat_of(fixture("ai_gateway/request_tool_loop_stream.json"), "google/gemini-3-pro-preview", true);
  EXPECT_EQ(chat, json::parse(fixture("ai_gateway/chat_from_tool_loop_stream.json"))) << serialize_json(chat);
}

TEST(AiGatewayRequest, TheChatGoesOnToAnthropicWithSignedThinkingAndToGeminiWithTheCallsSignature) {
  auto anthropic = anthropic_request_from_openai(chat_of(fixture("ai_gateway/request_generate_text.json")), "claude");
  ASSERT_TRUE(std::holds_alternative<json::object>(anthropic)) << std::get<Error>(anthropic).message;
  const auto& assistant = std::get<json::object>(anthropic).at("messages").at(1).as_object();
  EXPECT_EQ(assistant.at("content").at(0),
            json::parse(R"({"type":"thinking","thinking":"The user wants the weather in Paris.",)"
                        R"("signature":"EqQBCkYIBxgCIkDsig"})"));
  EXPECT_EQ(std::get<json::object>(anthropic).at("top_k"), 40);

  auto gemini = gemini_request_from_openai(
      chat_of(fixture("ai_gateway/request_tool_loop_stream.json"), "google/gemini-3-pro-preview", true));
  ASSERT_TRUE(std::holds_alternative<json::object>(gemini)) << std::get<Error>(gemini).message;
  const auto& call = std::get<json::object>(gemini).at("contents").at(1).at("parts").at(0).as_object();
  EXPECT_EQ(call.at("thoughtSignature"), "CiQBVKhc7kq9Xb3Jm") << serialize_json(call);
}

TEST(AiGatewayRequest, FileDataOfEveryVersionBecomesAnImageUrlOrAFile) {
  // v4 tagged data; v2/v3 strings: a data: URL and an http(s) URL as they are, anything else base64.
  auto parts = messages_of("user", R"([
      {"type":"file","mediaType":"image/jpeg","data":{"type":"data","data":"/9j/4AAQ"}},
      {"type":"file","mediaType":"image","data":{"type":"data","data":"AAAA"}},
      {"type":"file","mediaType":"image/webp","data":"data:image/webp;base64,UklGR"},
      {"type":"file","mediaType":"image/png","data":"https://example.com/a.png"},
      {"type":"file","mediaType":"image/gif","data":"R0lGOD"},
      {"type":"file","mediaType":"application/pdf","filename":"report.pdf","data":{"type":"data","data":"JVBERi0x"}},
      {"type":"file","mediaType":"application/pdf","data":"data:application/pdf;base64,JVBERi0x"},
      {"type":"file","mediaType":"text/plain","data":{"type":"text","text":"notes"}}])")
                   .at(0)
                   .at("content");
  EXPECT_EQ(parts, json::parse(R"([
      {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ"}},
      {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},
      {"type":"image_url","image_url":{"url":"data:image/webp;base64,UklGR"}},
      {"type":"image_url","image_url":{"url":"https://example.com/a.png"}},
      {"type":"image_url","image_url":{"url":"data:image/gif;base64,R0lGOD"}},
      {"type":"file","file":{"file_data":"data:application/pdf;base64,JVBERi0x","filename":"report.pdf"}},
      {"type":"file","file":{"file_data":"data:application/pdf;base64,JVBERi0x"}},
      {"type":"text","text":"notes"}])"))
      << serialize_json(parts);
}

TEST(AiGatewayRequest, FilesOtherThanImagesAreNotFetchedFromUrls) {
  auto error = error_of(one_message(
      "user",
      R"([{"type":"text","text":"x"},{"type":"file","mediaType":"application/pdf","data":{"type":"url","url":"https://x/a.pdf"}}])"));
  EXPECT_EQ(error.kind, ErrorKind::bad_request);
  EXPECT_EQ(error.param, "prompt[0].content[1].data");
  EXPECT_NE(error.message.find("not fetched from URLs"), std::string::npos) << error.message;
  EXPECT_EQ(error_of(one_message("user", R"([{"type":"file","mediaType":"application/pdf","data":"https://x/a.pdf"}])"))
                .param,
            "prompt[0].content[0].data");
  EXPECT_EQ(error_of(one_message("user", R"([{"type":"file","mediaType":"image/png","data":{"type":"reference",)"
                                         R"("reference":{"openai":"file-1"}}}])"))
                .param,
            "prompt[0].content[0].data");
}

TEST(AiGatewayRequest, ToolResultOutputsBecomeTheToolMessagesText) {
  auto messages = messages_of("tool", R"([
      {"type":"tool-result","toolCallId":"a","toolName":"t","output":{"type":"text","value":"plain"}},
      {"type":"tool-result","toolCallId":"b","toolName":"t","output":{"type":"error-text","value":"no such city"}},
      {"type":"tool-result","toolCallId":"c","toolName":"t","output":{"type":"error-json","value":{"code":7}}},
      {"type":"tool-result","toolCallId":"d","toolName":"t","output":{"type":"execution-denied"}},
      {"type":"tool-result","toolCallId":"e","toolName":"t","output":{"type":"execution-denied","reason":"not now"}},
      {"type":"tool-approval-response","approvalId":"x","approved":true},
      {"type":"tool-result","toolCallId":"f","toolName":"t","output":{"type":"content","value":[
          {"type":"text","text":"one"},{"type":"text","text":"two"}]}},
      {"type":"tool-result","toolCallId":"g","toolName":"t","output":{"type":"json"}}])");
  EXPECT_EQ(messages, json::parse(R"([
      {"role":"tool","tool_call_id":"a","content":"plain"},
      {"role":"tool","tool_call_id":"b","content":"no such city"},
      {"role":"tool","tool_call_id":"c","content":"{\"code\":7}"},
      {"role":"tool","tool_call_id":"d","content":"Tool call execution denied."},
      {"role":"tool","tool_call_id":"e","content":"not now"},
      {"role":"tool","tool_call_id":"f","content":"one\ntwo"},
      {"role":"tool","tool_call_id":"g","content":"null"}])"))
      << serialize_json(messages);
  auto error = error_of(one_message("tool", R"([{"type":"tool-result","toolCallId":"a","toolName":"t","output":)"
                                            R"({"type":"content","value":[{"type":"text","text":"x"},)"
                                            R"({"type":"media","data":"AAAA","mediaType":"image/png"}]}}])"));
  EXPECT_EQ(error.param, "prompt[0].content[0].output.value[1].type");
}

TEST(AiGatewayRequest, AssistantHistoryChatCannotHoldIsLeftOutAndBadToolInputIsAnEmptyObject) {
  auto messages = messages_of("assistant", R"([
      {"type":"reasoning","text":"unsigned thoughts"},
      {"type":"text","text":"Found it."},
      {"type":"tool-call","toolCallId":"ws_1","toolName":"web_search","input":{"query":"x"},"providerExecuted":true},
      {"type":"tool-result","toolCallId":"ws_1","toolName":"web_search","output":{"type":"json","value":[]}},
      {"type":"file","mediaType":"image/png","data":{"type":"data","data":"AAAA"}},
      {"type":"tool-call","toolCallId":"c1","toolName":"t","input":"{\"a\":1}"},
      {"type":"tool-call","toolCallId":"c2","toolName":"t","input":"not json"},
      {"type":"tool-call","toolCallId":"c3","toolName":"t","input":[1]},
      {"type":"tool-call","toolCallId":"c4","toolName":"t"}])");
  EXPECT_EQ(messages, json::parse(R"([{"role":"assistant","content":"Found it.","tool_calls":[
      {"id":"c1","type":"function","function":{"name":"t","arguments":"{\"a\":1}"}},
      {"id":"c2","type":"function","function":{"name":"t","arguments":"{}"}},
      {"id":"c3","type":"function","function":{"name":"t","arguments":"{}"}},
      {"id":"c4","type":"function","function":{"name":"t","arguments":"{}"}}]}])"))
      << serialize_json(messages);
  // With no text beside tool calls the content is null; with neither it is "".
  EXPECT_EQ(messages_of("assistant", R"([{"type":"tool-call","toolCallId":"c","toolName":"t","input":{}}])")
                .at(0)
                .at("content"),
            nullptr);
  EXPECT_EQ(messages_of("assistant", "[]").at(0).at("content"), "");
}

TEST(AiGatewayRequest, ToolsChoicesFormatsAndReasoningLevels) {
  auto chat = chat_of(R"({"prompt":[{"role":"user","content":[{"type":"text","text":"x"}]}],
      "tools":[{"type":"provider","id":"anthropic.web_search_20250305","name":"web_search","args":{}},
               {"type":"provider-defined","id":"google.google_search","name":"google_search","args":{}},
               {"type":"function","name":"f","inputSchema":null}],
      "toolChoice":{"type":"tool","toolName":"f"},"responseFormat":{"type":"json"},"reasoning":"xhigh"})");
  EXPECT_EQ(chat.at("tools"), json::parse(R"([{"type":"web_search"},
      {"type":"function","function":{"name":"f","parameters":{"type":"object"}}}])"));
  EXPECT_EQ(chat.at("tool_choice"), json::parse(R"({"type":"function","function":{"name":"f"}})"));
  EXPECT_EQ(chat.at("response_format"), json::parse(R"({"type":"json_object"})"));
  EXPECT_EQ(chat.at("reasoning_effort"), "high");
  // No tools: no tool_choice (generateText always sends one); provider-default: no effort; text: no format.
  chat = chat_of(R"({"prompt":[{"role":"user","content":[{"type":"text","text":"x"}]}],"tools":[],
      "toolChoice":{"type":"required"},"reasoning":"provider-default","responseFormat":{"type":"text"}})");
  EXPECT_EQ(chat, json::parse(R"({"model":"anthropic/claude-sonnet-4.5","messages":[{"role":"user","content":"x"}]})"));
  EXPECT_EQ(chat_of(R"({"prompt":[{"role":"user","content":[]}],"reasoning":"none"})").at("reasoning_effort"), "none");
}

TEST(AiGatewayRequest, BadInputsAreBadRequestsNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({})", "prompt"},
      {R"({"prompt":[]})", "prompt"},
      {R"({"prompt":[7]})", "prompt[0]"},
      {R"({"prompt":[{"role":"developer","content":"x"}]})", "prompt[0].role"},
      {R"({"prompt":[{"role":"system","content":["x"]}]})", "prompt[0].content"},
      {R"({"prompt":[{"role":"user","content":"x"}]})", "prompt[0].content"},
      {R"({"prompt":[{"role":"user","content":[{"type":"text","text":1}]}]})", "prompt[0].content[0].text"},
      {R"({"prompt":[{"role":"user","content":[{"type":"audio"}]}]})", "prompt[0].content[0].type"},
      {R"({"prompt":[{"role":"user","content":[{"type":"file","data":"AAAA"}]}]})", "prompt[0].content[0].mediaType"},
      {R"({"prompt":[{"role":"user","content":[{"type":"file","mediaType":"image/png"}]}]})",
       "prompt[0].content[0].data"},
      {R"({"prompt":[{"role":"user","content":[{"type":"file","mediaType":"image/png","data":{"type":"data"}}]}]})",
       "prompt[0].content[0].data.data"},
      {R"({"prompt":[{"role":"assistant","content":[{"type":"tool-call","toolName":"t","input":{}}]}]})",
       "prompt[0].content[0].toolCallId"},
      {R"({"prompt":[{"role":"user","content":[]},{"role":"tool","content":[{"type":"tool-result","toolName":"t"}]}]})",
       "prompt[1].content[0].toolCallId"},
      {R"({"prompt":[{"role":"tool","content":[{"type":"tool-result","toolCallId":"c","output":{"type":"text","value":1}}]}]})",
       "prompt[0].content[0].output.value"},
      {R"({"prompt":[{"role":"tool","content":[{"type":"tool-result","toolCallId":"c","output":{"type":"file"}}]}]})",
       "prompt[0].content[0].output.type"},
      {R"({"prompt":[{"role":"user","content":[]}],"maxOutputTokens":0})", "maxOutputTokens"},
      {R"({"prompt":[{"role":"user","content":[]}],"maxOutputTokens":1.5})", "maxOutputTokens"},
      {R"({"prompt":[{"role":"user","content":[]}],"temperature":"hot"})", "temperature"},
      {R"({"prompt":[{"role":"user","content":[]}],"seed":"7"})", "seed"},
      {R"({"prompt":[{"role":"user","content":[]}],"stopSequences":["a",1]})", "stopSequences[1]"},
      {R"({"prompt":[{"role":"user","content":[]}],"reasoning":"extreme"})", "reasoning"},
      {R"({"prompt":[{"role":"user","content":[]}],"tools":{}})", "tools"},
      {R"({"prompt":[{"role":"user","content":[]}],"tools":[{"type":"function"}]})", "tools[0].name"},
      {R"({"prompt":[{"role":"user","content":[]}],"tools":[{"type":"function","name":"f","inputSchema":[]}]})",
       "tools[0].inputSchema"},
      {R"({"prompt":[{"role":"user","content":[]}],"tools":[{"type":"provider","id":"gateway.perplexity_search"}]})",
       "tools[0].id"},
      {R"({"prompt":[{"role":"user","content":[]}],"tools":[{"type":"dynamic"}]})", "tools[0].type"},
      {R"({"prompt":[{"role":"user","content":[]}],"toolChoice":{"type":"tool"}})", "toolChoice.toolName"},
      {R"({"prompt":[{"role":"user","content":[]}],"toolChoice":"auto"})", "toolChoice"},
      {R"({"prompt":[{"role":"user","content":[]}],"responseFormat":{"type":"json","schema":true}})",
       "responseFormat.schema"},
      {R"({"prompt":[{"role":"user","content":[]}],"responseFormat":{"type":"json","schema":{},"name":1}})",
       "responseFormat.name"},
  };
  for (const auto& [options, param] : cases) {
    Error error = error_of(options);
    EXPECT_EQ(error.kind, ErrorKind::bad_request) << options;
    EXPECT_EQ(error.status, 400) << options;
    EXPECT_EQ(error.param, param) << options << ": " << error.message;
    EXPECT_NE(error.message.find(param), std::string::npos) << error.message;
  }
}

TEST(AiGatewayRequest, ClientTextInAnErrorMessageIsCutShort) {
  std::string type(5000, 'x');
  Error error = error_of(one_message("user", R"([{"type":")" + type + R"("}])"));
  EXPECT_LT(error.message.size(), 200u) << error.message;
  EXPECT_EQ(error.param, "prompt[0].content[0].type");
}

TEST(AiGatewayRequest, EmbeddingsOfEveryVersion) {
  auto request = [](std::string_view body) {
    auto result = embeddings_from_call_options(json::parse(body).as_object(), "openai/text-embedding-3-small");
    if (auto* error = std::get_if<Error>(&result)) return json::value(error->param);
    return json::value(std::get<json::object>(result));
  };
  EXPECT_EQ(request(fixture("ai_gateway/request_embed.json")), json::parse(R"({"model":"openai/text-embedding-3-small",
                "input":["sunny day at the beach","rainy afternoon in the city"],"dimensions":256})"));
  // v2 sent `input`, one value as a bare string.
  EXPECT_EQ(request(R"({"input":"hello"})"),
            json::parse(R"({"model":"openai/text-embedding-3-small","input":["hello"]})"));
  EXPECT_EQ(request(R"({"input":["a","b"]})"),
            json::parse(R"({"model":"openai/text-embedding-3-small","input":["a","b"]})"));
  EXPECT_EQ(request(R"({"values":"hello"})"), "values");
  EXPECT_EQ(request(R"({"values":[]})"), "values");
  EXPECT_EQ(request(R"({})"), "input");
  EXPECT_EQ(request(R"({"values":["a",2]})"), "values[1]");
  EXPECT_EQ(request(R"({"values":["a"],"dimensions":0})"), "dimensions");
}

// --- chat answers -> generate results ---

TEST(AiGatewayAnswer, AChatCompletionBecomesTheGenerateResultOfEachVersion) {
  const std::string completion = fixture("ai_gateway/chat_completion_reasoning_tools.json");
  auto v4 = generated(completion, SpecVersion::v4);
  EXPECT_EQ(v4, json::parse(fixture("ai_gateway/generate_result_v4.json"))) << serialize_json(v4);
  EXPECT_EQ(generated(completion, SpecVersion::v3), v4);
  auto v2 = generated(completion, SpecVersion::v2);
  EXPECT_EQ(v2, json::parse(fixture("ai_gateway/generate_result_v2.json"))) << serialize_json(v2);
}

TEST(AiGatewayAnswer, AGeminiCallKeepsItsSignatureAndUnknownUsageIsNullNotZero) {
  auto result = generated(fixture("ai_gateway/chat_completion_gemini_call.json"), SpecVersion::v4);
  EXPECT_EQ(result.at("content"), json::parse(R"([{"type":"tool-call","toolCallId":"call_7f3a","toolName":"weather",
      "input":"{\"location\":\"San Francisco\"}","providerMetadata":{"google":{"thoughtSignature":"CiQBVKhc7kq9Xb3Jm"}}}])"));
  EXPECT_EQ(result.at("usage"),
            json::parse(R"({"inputTokens":{"total":null,"noCache":null,"cacheRead":null,"cacheWrite":null},
      "outputTokens":{"total":null,"text":null,"reasoning":null}})"));
  EXPECT_EQ(result.at("providerMetadata"),
            json::parse(R"({"gateway":{"generationId":"gen_01KB7ZA2C4E6G8J0K2M4N6P8Q0","cost":null}})"));
  auto v2 = generated(fixture("ai_gateway/chat_completion_gemini_call.json"), SpecVersion::v2);
  EXPECT_EQ(v2.at("usage"), json::parse(R"({"inputTokens":null,"outputTokens":null,"totalTokens":null})"));
}

TEST(AiGatewayAnswer, GenerateObjectsJsonIsTheTextAndFinishReasonsMapAsTheSdkNamesThem) {
  auto answer = [](std::string_view finish_reason, std::string_view usage = "") {
    return R"({"id":"gen_2","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":)"
           R"({"role":"assistant","content":"{\"name\":\"Lasagna\"}"},"finish_reason":)" +
           std::string(finish_reason) + "}]" + std::string(usage) + "}";
  };
  auto result =
      generated(answer(R"("stop")", R"(,"usage":{"prompt_tokens":9,"completion_tokens":5,"cost":0})"), SpecVersion::v4);
  EXPECT_EQ(result.at("content"), json::parse(R"([{"type":"text","text":"{\"name\":\"Lasagna\"}"}])"));
  EXPECT_EQ(result.at("finishReason"), json::parse(R"({"unified":"stop","raw":"stop"})"));
  // Details an answer leaves out are 0, as @ai-sdk/openai reads them; an untold cache write is unknown.
  EXPECT_EQ(result.at("usage"), json::parse(R"({"inputTokens":{"total":9,"noCache":9,"cacheRead":0,"cacheWrite":null},
      "outputTokens":{"total":5,"text":5,"reasoning":0}})"));
  EXPECT_EQ(result.at("providerMetadata").at("gateway").at("cost"), "0");
  const std::pair<const char*, const char*> reasons[] = {{R"("length")", "length"},
                                                         {R"("tool_calls")", "tool-calls"},
                                                         {R"("content_filter")", "content-filter"},
                                                         {R"("pause_turn")", "other"}};
  for (const auto& [chat, unified] : reasons) {
    EXPECT_EQ(generated(answer(chat), SpecVersion::v4).at("finishReason").at("unified"), unified) << chat;
    EXPECT_EQ(generated(answer(chat), SpecVersion::v2).at("finishReason"), unified) << chat;
  }
  EXPECT_EQ(generated(answer("null"), SpecVersion::v4).at("finishReason"), json::parse(R"({"unified":"other"})"));
}

TEST(AiGatewayAnswer, CostsAreDecimalStrings) {
  auto cost_of = [](std::string_view cost) {
    std::string body = R"({"id":"g","choices":[{"index":0,"message":{"content":"x"},"finish_reason":"stop"}],)"
                       R"("usage":{"prompt_tokens":1,"completion_tokens":1,"cost":)" +
                       std::string(cost) + "}}";
    return generated(body, SpecVersion::v4).at("providerMetadata").at("gateway").at("cost");
  };
  EXPECT_EQ(cost_of("0.000123"), "0.000123");
  EXPECT_EQ(cost_of("1.23e-05"), "0.0000123");
  EXPECT_EQ(cost_of("4e-7"), "0.0000004");
  EXPECT_EQ(cost_of("12.5"), "12.5");
  EXPECT_EQ(cost_of("1e3"), "1000");
  EXPECT_EQ(cost_of("2"), "2");
  EXPECT_EQ(cost_of("null"), nullptr);
  EXPECT_EQ(cost_of(R"("0.1")"), nullptr);
}

TEST(AiGatewayAnswer, AnswersThatAreNotChatAreErrors) {
  for (const char* body : {"", "[]", R"({"choices":[]})", R"({"choices":[1]})"}) {
    auto result = generate_result_from_chat(body, SpecVersion::v4);
    ASSERT_TRUE(std::holds_alternative<Error>(result)) << body;
    EXPECT_EQ(std::get<Error>(result).kind, ErrorKind::upstream_failed) << body;
  }
}

// --- chat streams -> stream parts ---

TEST(AiGatewayStream, ARecordedStreamBecomesTheseParts) {
  const std::string transcript = fixture("ai_gateway/chat_stream_reasoning_tools.sse");
  const auto expected = expected_parts("ai_gateway/parts_reasoning_tools_v4.jsonl");
  for (std::size_t step : {std::size_t{1}, std::size_t{7}, transcript.size()}) {
    auto [parts, error] = run(transcript, SpecVersion::v4, step);
    EXPECT_FALSE(error) << error->message;
    ASSERT_EQ(parts.size(), expected.size()) << "step " << step;
    for (std::size_t i = 0; i < parts.size(); ++i)
      EXPECT_EQ(parts[i], expected[i]) << "step " << step << ", part " << i << ": " << serialize_json(parts[i]);
  }
}

TEST(AiGatewayStream, VersionTwoFinishesWithAStringReasonAndFlatUsage) {
  auto [parts, error] = run(fixture("ai_gateway/chat_stream_reasoning_tools.sse"), SpecVersion::v2);
  EXPECT_FALSE(error);
  EXPECT_EQ(parts.back(), json::parse(R"({"type":"finish","finishReason":"tool-calls",
      "usage":{"inputTokens":2620,"outputTokens":141,"totalTokens":2761,"reasoningTokens":48,"cachedInputTokens":2048},
      "providerMetadata":{"gateway":{"generationId":"gen_01KB7Z6M8Q3R4S5T6V7W8X9Y0Z","cost":"0.0000195"}}})"));
  // Every other part is as in v4.
  auto v4 = expected_parts("ai_gateway/parts_reasoning_tools_v4.jsonl");
  ASSERT_EQ(parts.size(), v4.size());
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) EXPECT_EQ(parts[i], v4[i]) << i;
}

TEST(AiGatewayStream, AStreamWithoutUsageFinishesAtDoneWithUnknownUsageNull) {
  auto [parts, error] = run(delta(R"({"role":"assistant","content":"Hi"})") + delta(R"({"content":" there"})") +
                            delta("{}", R"("stop")") + "data: [DONE]\n\n");
  EXPECT_FALSE(error);
  ASSERT_EQ(parts.size(), 7u);
  EXPECT_EQ(types_of(parts), (std::vector<std::string>{"stream-start", "response-metadata", "text-start", "text-delta",
                                                       "text-delta", "text-end", "finish"}));
  EXPECT_EQ(parts[6], json::parse(R"({"type":"finish","finishReason":{"unified":"stop","raw":"stop"},
      "usage":{"inputTokens":{"total":null,"noCache":null,"cacheRead":null,"cacheWrite":null},
               "outputTokens":{"total":null,"text":null,"reasoning":null}},
      "providerMetadata":{"gateway":{"generationId":"gen_1","cost":null}}})"));
}

TEST(AiGatewayStream, ACutStreamIsAnErrorWrittenAsAnErrorPartThenAFinish) {
  auto [parts, error] = run(delta(R"({"content":"Hal"})") +
                            chunk("[]", R"(,"usage":{"prompt_tokens":3,"completion_tokens":1,"cost":null})"));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, ErrorKind::upstream_failed);
  ASSERT_GE(parts.size(), 2u);
  EXPECT_EQ(parts[parts.size() - 2],
            json::parse(R"({"type":"error","error":{"message":"the provider's stream ended before [DONE]",
                "type":"internal_server_error","code":"upstream_error","statusCode":502}})"));
  EXPECT_EQ(parts.back().at("finishReason"), json::parse(R"({"unified":"error"})"));
  EXPECT_EQ(parts.back().at("usage").at("inputTokens").at("total"), 3);  // what was seen
  // [DONE] with no finish reason before it is cut short too; so is a finish reason with no [DONE]
  // after it (the usage would follow).
  EXPECT_TRUE(run(delta(R"({"content":"Hal"})") + "data: [DONE]\n\n").error);
  EXPECT_TRUE(run(delta(R"({"content":"Hal"})") + delta("{}", R"("stop")")).error);
  // A provider's error inside the stream.
  auto reported = run(delta(R"({"content":"Hal"})") + R"(data: {"error":{"message":"overloaded"}})" + "\n\n");
  ASSERT_TRUE(reported.error);
  EXPECT_EQ(reported.parts[reported.parts.size() - 2].at("error").at("message"),
            "provider error in stream: overloaded");
}

TEST(AiGatewayStream, NothingFollowsTheFinish) {
  auto translator = stream_parts_from_chat(SpecVersion::v4, kClaude);
  std::string out;
  EXPECT_FALSE(
      translator->on_event({"", R"({"id":"g","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"}, out));
  EXPECT_FALSE(translator->on_event({"", "[DONE]"}, out));
  std::string after;
  EXPECT_FALSE(translator->on_event({"", R"({"id":"g","choices":[{"index":0,"delta":{"content":"x"}}]})"}, after));
  EXPECT_FALSE(translator->on_end(after));
  EXPECT_TRUE(translator->write_error(make_error(ErrorKind::upstream_failed, "late"), after));
  EXPECT_EQ(after, "");
  EXPECT_EQ(types_of(parts_in(out)), (std::vector<std::string>{"stream-start", "response-metadata", "finish"}));
}

TEST(AiGatewayStream, SignedReasoningBlocksSplitAndCallsAreToldWhenComplete) {
  // Two thinking blocks (the signature ends the first), a redacted one (a signature alone), then a
  // Gemini call whole in one delta with its signature, and a second call at the same index.
  auto [parts, error] = run(
      delta(R"({"reasoning":"a"})") + delta(R"({"reasoning_signature":"S1"})") + delta(R"({"reasoning":"b"})") +
      delta(R"({"content":"t"})") + delta(R"({"reasoning_signature":"S2"})") +
      delta(
          R"({"tool_calls":[{"index":0,"id":"c1","function":{"name":"f","arguments":"{}"},"thought_signature":"G"}]})") +
      delta(R"({"tool_calls":[{"index":0,"id":"c2","function":{"name":"g","arguments":"{\"x\":1}"}}]})") +
      delta("{}", R"("tool_calls")") + "data: [DONE]\n\n");
  EXPECT_FALSE(error);
  std::vector<json::object> expected;
  for (
      const char* part : {
          R"({"type":"reasoning-start","id":"reasoning-0"})",
          R"({"type":"reasoning-delta","id":"reasoning-0","delta":"a"})",
          R"({"type":"reasoning-end","id":"reasoning-0","providerMetadata":{"anthropic":{"signature":"S1"}}})",
          R"({"type":"reasoning-start","id":"reasoning-1"})",
          R"({"type":"reasoning-delta","id":"reasoning-1","delta":"b"})",
          R"({"type":"reasoning-end","id":"reasoning-1"})",
          R"({"type":"text-start","id":"txt-0"})",
          R"({"type":"text-delta","id":"txt-0","delta":"t"})",
          R"({"type":"text-end","id":"txt-0"})",
          R"({"type":"reasoning-start","id":"reasoning-2"})",
          R"({"type":"reasoning-end","id":"reasoning-2","providerMetadata":{"anthropic":{"signature":"S2"}}})",
          R"({"type":"tool-input-start","id":"c1","toolName":"f"})",
          R"({"type":"tool-input-delta","id":"c1","delta":"{}"})",
          R"({"type":"tool-input-start","id":"c2","toolName":"g"})",
          R"({"type":"tool-input-delta","id":"c2","delta":"{\"x\":1}"})",
          R"({"type":"tool-input-end","id":"c1"})",
          R"({"type":"tool-call","toolCallId":"c1","toolName":"f","input":"{}","providerMetadata":{"google":{"thoughtSignature":"G"}}})",
          R"({"type":"tool-input-end","id":"c2"})",
          R"({"type":"tool-call","toolCallId":"c2","toolName":"g","input":"{\"x\":1}"})",
      })
    expected.push_back(json::parse(part).as_object());
  ASSERT_EQ(parts.size(), expected.size() + 3);  // stream-start, response-metadata ... finish
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(parts[i + 2], expected[i]) << i;
  EXPECT_EQ(parts.back().at("finishReason").at("unified"), "tool-calls");
}

TEST(AiGatewayStream, ArgumentsBeforeTheirCallsIdAreMalformed) {
  auto [parts, error] = run(delta(R"({"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]})"));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, ErrorKind::upstream_failed);
  EXPECT_EQ(parts.back().at("finishReason").at("unified"), "error");
}

TEST(AiGatewayStream, TimestampsAreIso8601AndOutOfRangeOnesAreLeftOut) {
  auto metadata_of = [](std::string_view created) {
    return run(R"(data: {"id":"g","created":)" + std::string(created) +
               R"(,"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"
               "\n\n")
        .parts.at(1);
  };
  EXPECT_EQ(metadata_of("0").at("timestamp"), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(metadata_of("1709251199").at("timestamp"), "2024-02-29T23:59:59.000Z");
  // After 2262 (where nanoseconds since 1970 overflow 64 bits), and the last second of 9999.
  EXPECT_EQ(metadata_of("17649619200").at("timestamp"), "2529-04-18T00:00:00.000Z");
  EXPECT_EQ(metadata_of("253402300799").at("timestamp"), "9999-12-31T23:59:59.000Z");
  for (const char* created : {"-5", "253402300800", "1.5", R"("1")"})
    EXPECT_EQ(metadata_of(created), json::parse(R"({"type":"response-metadata","id":"g",
        "modelId":"anthropic/claude-sonnet-4.5"})"))
        << created;
}

// --- embeddings and errors ---

TEST(AiGatewayEmbed, AnEmbeddingsAnswerInInputOrderWithTokensAndCost) {
  auto result =
      embed_result_from_openai(fixture("ai_gateway/embeddings_answer.json"), "gen_01KB7ZC9D1F3H5K7M9P1R3T5V7");
  ASSERT_TRUE(std::holds_alternative<std::string>(result)) << std::get<Error>(result).message;
  EXPECT_EQ(json::parse(std::get<std::string>(result)), json::parse(R"({
      "embeddings":[[-0.0065,0.75,1],[0.0125,-0.5,0.25]],"usage":{"tokens":11},
      "providerMetadata":{"gateway":{"generationId":"gen_01KB7ZC9D1F3H5K7M9P1R3T5V7","cost":"0.00000022"}}})"));
  auto bare = embed_result_from_openai(R"({"data":[{"embedding":[1]},{"embedding":[2]}]})", "");
  ASSERT_TRUE(std::holds_alternative<std::string>(bare));
  EXPECT_EQ(json::parse(std::get<std::string>(bare)), json::parse(R"({"embeddings":[[1],[2]],"usage":null,
                "providerMetadata":{"gateway":{"generationId":null,"cost":null}}})"));
  for (const char* body : {"{}", R"({"data":[{"embedding":"AAAA"}]})", R"({"data":[{"index":1,"embedding":[1]}]})",
                           R"({"data":[{"index":0,"embedding":[1]},{"index":0,"embedding":[2]}]})",
                           R"({"data":[{"index":"0","embedding":[1]}]})", R"({"data":[{"embedding":[1,"2"]}]})"})
    EXPECT_TRUE(std::holds_alternative<Error>(embed_result_from_openai(body, "gen_1"))) << body;
}

TEST(AiGatewayError, ErrorBodiesPickTheSdksErrorClass) {
  auto body_of = [](const Error& error, std::string_view generation_id = "") {
    return json::parse(ai_gateway_error_body(error, generation_id));
  };
  EXPECT_EQ(body_of(make_error(ErrorKind::unauthorized, "unknown key"), "gen_1"),
            json::parse(R"({"error":{"message":"unknown key","type":"authentication_error","param":null,
                "code":"invalid_api_key"},"generationId":"gen_1"})"));
  EXPECT_EQ(body_of(make_error(ErrorKind::not_found, "model 'x/y' not found", "model")).at("error").at("type"),
            "model_not_found");
  EXPECT_EQ(body_of(make_error(ErrorKind::not_found, "no generation with id 'g'", "id")).at("error").at("type"),
            "not_found");
  Error unknown_url = make_error(ErrorKind::not_found, "no endpoint");
  unknown_url.code = "unknown_url";
  EXPECT_EQ(body_of(unknown_url).at("error").at("type"), "not_found");
  EXPECT_EQ(body_of(upstream_status_error("openai", 429, "slow down")).at("error").at("type"), "rate_limit_exceeded");
  EXPECT_EQ(body_of(upstream_status_error("openai", 400, "bad")).at("error").at("type"), "invalid_request_error");
  EXPECT_EQ(body_of(make_error(ErrorKind::bad_request, "prompt must be...", "prompt")),
            json::parse(R"({"error":{"message":"prompt must be...","type":"invalid_request_error","param":null,
                "code":"invalid_request"},"generationId":null})"));
  EXPECT_EQ(body_of(upstream_status_error("openai", 503, "down")).at("error").at("type"), "internal_server_error");
  EXPECT_EQ(body_of(make_error(ErrorKind::upstream_timeout, "slow")).at("error").at("type"), "internal_server_error");
  Error no_code = make_error(ErrorKind::internal, "bug");
  no_code.code.clear();
  EXPECT_EQ(body_of(no_code).at("error").at("code"), nullptr);
}

TEST(AiGatewayError, AnUnknownModelIsNamedWhereTheSdkReadsIt) {
  Error error = make_error(ErrorKind::not_found, "model 'x/y' not found", "model");
  error.code = "model_not_found";
  error.subject = "x/y";
  EXPECT_EQ(json::parse(ai_gateway_error_body(error, "gen_1")).at("error").at("param"),
            json::parse(R"({"modelId":"x/y"})"));
}
