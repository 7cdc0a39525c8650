// Responses API requests as clients send them (Codex, the Agents SDK) read into OpenAI chat for
// the providers that do not speak Responses, and the response object's echo of the request.
#include "translate/responses_request.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fixtures.h"
#include "translate/anthropic_request.h"
#include "translate/gemini_request.h"
#include "translate/json_parse.h"

using namespace switchyard;
namespace json = boost::json;

namespace {

ChatFromResponses translated(const json::value& request) {
  auto result = chat_from_responses(request.as_object());
  if (auto* error = std::get_if<Error>(&result)) {
    ADD_FAILURE() << error->message;
    return {};
  }
  return std::get<ChatFromResponses>(std::move(result));
}

json::object chat_of(std::string_view request) { return translated(json::parse(request)).chat; }

Error error_of(std::string_view request) {
  auto result = chat_from_responses(json::parse(request).as_object());
  if (!std::holds_alternative<Error>(result)) {
    ADD_FAILURE() << "no error for " << request;
    return {};
  }
  return std::get<Error>(result);
}

// `chat` with each tool call's arguments read: they are JSON text, and what they say is what counts
// (not how the serializer escapes it).
json::value with_read_arguments(json::value chat) {
  if (auto* messages = chat.as_object().if_contains("messages"))
    for (auto& message : messages->as_array())
      if (auto* calls = message.as_object().if_contains("tool_calls"))
        for (auto& call : calls->as_array()) {
          auto& function = call.as_object()["function"].as_object();
          function["arguments"] = json::parse(function["arguments"].as_string());
        }
  return chat;
}

// The shell as it goes on the wire (doubles written as serialize_json writes them), read back.
json::value shell_of(std::string_view request) {
  return json::parse(serialize_json(response_shell(json::parse(request).as_object())));
}

}  // namespace

TEST(ResponsesRequest, TranslatesARecordedCodexRequest) {
  auto out = translated(json::parse(fixture("responses/request_codex.json")));
  EXPECT_EQ(with_read_arguments(out.chat), with_read_arguments(json::parse(fixture("responses/chat_from_codex.json"))))
      << serialize_json(out.chat);
  // tool_search has no chat form; web_search is the chat extension the Anthropic and Gemini
  // adapters map to their own search.
  EXPECT_EQ(out.left_out, std::vector<std::string>{"tool_search"});
}

TEST(ResponsesRequest, TranslatesARecordedAgentsSdkRequest) {
  auto out = translated(json::parse(fixture("responses/request_agents.json")));
  EXPECT_EQ(out.chat, json::parse(fixture("responses/chat_from_agents.json"))) << serialize_json(out.chat);
  EXPECT_TRUE(out.left_out.empty());
}

TEST(ResponsesRequest, TheCodexRequestGoesOnToAnthropicWithSignedThinkingFirstAndItsOwnSearch) {
  auto chat = translated(json::parse(fixture("responses/request_codex.json"))).chat;
  auto result = anthropic_request_from_openai(chat, "claude-sonnet-4-5");
  ASSERT_TRUE(std::holds_alternative<json::object>(result)) << std::get<Error>(result).message;
  const auto& anthropic = std::get<json::object>(result);
  // The instructions and the developer message are the system prompt.
  ASSERT_EQ(anthropic.at("system").as_array().size(), 2u);
  const auto& messages = anthropic.at("messages").as_array();
  ASSERT_EQ(messages.size(), 7u) << serialize_json(messages);
  // user (environment + question), assistant (thinking, tool_use), user (tool_result), assistant
  // (text), user (question), assistant (apply_patch), user (its result).
  const auto& first_turn = messages[1].as_object();
  EXPECT_EQ(first_turn.at("role"), "assistant");
  EXPECT_EQ(first_turn.at("content"), json::parse(R"([
    {"type": "thinking", "thinking": "I should list the directory first.",
     "signature": "EqQBCkYIBxgCKkDz0V2fbYx1QeAdJ3W8hq6mQ2p1bPc5SnJ4Kk8rDtRtG0bT1cKnlGgEhDx2m"},
    {"type": "tool_use", "id": "toolu_01Xk7pZ3", "name": "exec_command",
     "input": {"cmd": "ls tests/unit | wc -l", "workdir": "/home/dev/switchyard"}}])"));
  EXPECT_EQ(messages[5].at("content"), json::parse(R"([
    {"type": "tool_use", "id": "toolu_01Bq9mWe", "name": "apply_patch",
     "input": {"input": "*** Begin Patch\n*** Add File: tests/unit/README.md\n+Unit tests: one binary, run with ./build/tests/unit_tests.\n*** End Patch\n"}}])"));
  const auto& tools = anthropic.at("tools").as_array();
  ASSERT_EQ(tools.size(), 3u);
  EXPECT_EQ(tools[0].at("name"), "exec_command");
  EXPECT_EQ(tools[1].at("name"), "apply_patch");
  EXPECT_EQ(tools[1].at("input_schema").at("required"), json::array{"input"});
  EXPECT_EQ(tools[2], json::parse(R"({"type": "web_search_20250305", "name": "web_search"})"));
  EXPECT_EQ(anthropic.at("tool_choice"), json::parse(R"({"type": "auto", "disable_parallel_tool_use": true})"));
  EXPECT_EQ(anthropic.at("thinking"), json::parse(R"({"type": "enabled", "budget_tokens": 8192})"));
}

TEST(ResponsesRequest, TheCodexRequestGoesOnToGeminiWithGoogleSearch) {
  auto chat = translated(json::parse(fixture("responses/request_codex.json"))).chat;
  auto result = gemini_request_from_openai(chat);
  ASSERT_TRUE(std::holds_alternative<json::object>(result)) << std::get<Error>(result).message;
  const auto& tools = std::get<json::object>(result).at("tools").as_array();
  ASSERT_EQ(tools.size(), 2u) << serialize_json(tools);
  EXPECT_EQ(tools[0], json::parse(R"({"googleSearch": {}})"));
  EXPECT_EQ(tools[1].at("functionDeclarations").as_array().size(), 2u);
  // Anthropic's signed thinking means nothing to Gemini: no part carries it.
  EXPECT_EQ(serialize_json(std::get<json::object>(result)).find("EqQBCkYIBxgC"), std::string::npos);
}

TEST(ResponsesRequest, ErrorsNameTheField) {
  struct Case {
    const char* request;
    const char* message;
    const char* param;
  };
  const Case cases[] = {
      {R"({"model":"m","input":[{"role":"user","content":"a"},{"type":"message","role":"assistant","content":"b"},
           {"type":"message","role":"tool","content":"c"}]})",
       "input[2].role must be one of user, assistant, system, developer", "input[2].role"},
      {R"({"model":"m","input":[{"role":"user","content":"a"},{"type":"hologram","call_id":"c1"}]})",
       "input[1].type 'hologram' is not an input item this gateway knows", "input[1].type"},
      {R"({"model":"m","input":"hi","text":{"format":{"type":"yaml"}}})",
       "'text.format.type' must be text, json_object or json_schema", "text.format.type"},
      {R"({"model":"m","input":"hi","text":{"format":{"type":"json_schema","name":"x"}}})",
       "'text.format.schema' is required for json_schema", "text.format.schema"},
      {R"({"model":"m","input":"hi","text":{"format":"json"}})", "'text.format' must be an object", "text.format"},
      {R"({"model":"m","input":"hi","text":"json"})", "'text' must be an object", "text"},
      {R"({"model":"m"})", "'input' is required: a string or an array of input items", "input"},
      {R"({"model":"m","input":7})", "'input' is required: a string or an array of input items", "input"},
      {R"({"model":"m","input":["hi"]})", "input[0] must be an object", "input[0]"},
      {R"({"model":"m","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"a"},
           {"type":"input_audio","input_audio":{}}]}]})",
       "input[0].content[1].type 'input_audio' is not a content part this gateway knows", "input[0].content[1].type"},
      {R"({"model":"m","input":[{"role":"user","content":[{"type":"input_image","file_id":"file-1"}]}]})",
       "input[0].content[0].image_url is required (file ids are not supported)", "input[0].content[0]"},
      {R"({"model":"m","input":[{"role":"user","content":7}]})",
       "input[0].content must be a string or an array of content parts", "input[0].content"},
      {R"({"model":"m","input":[{"type":"function_call","name":"f","arguments":"{}"}]})",
       "input[0] needs call_id and name", "input[0]"},
      {R"({"model":"m","input":[{"type":"function_call_output","output":"x"}]})", "input[0].call_id is required",
       "input[0].call_id"},
      {R"({"model":"m","input":[{"type":"function_call_output","call_id":"c","output":{}}]})",
       "input[0].output must be a string or an array of content parts", "input[0].output"},
      {R"({"model":"m","input":[{"type":"item_reference","id":"msg_1"}]})",
       "input[0]: item references need stored responses; send the item itself", "input[0]"},
      {R"({"model":"m","instructions":["be brief"],"input":"hi"})", "'instructions' must be a string", "instructions"},
      {R"({"model":"m","input":"hi","tools":{}})", "'tools' must be an array", "tools"},
      {R"({"model":"m","input":"hi","tools":[{"type":"function","parameters":{}}]})", "tools[0].name is required",
       "tools[0].name"},
      {R"({"model":"m","input":"hi","tools":[{"type":"function","name":"f"}],"tool_choice":"any"})",
       "'tool_choice' must be auto, none, required or a tool", "tool_choice"},
      {R"({"model":"m","input":"hi","tools":[{"type":"function","name":"f"}],"tool_choice":1})",
       "'tool_choice' must be a string or an object", "tool_choice"},
  };
  for (const auto& c : cases) {
    Error error = error_of(c.request);
    EXPECT_EQ(error.kind, ErrorKind::bad_request) << c.request;
    EXPECT_EQ(error.status, 400) << c.request;
    EXPECT_EQ(error.message, c.message) << c.request;
    EXPECT_EQ(error.param, c.param) << c.request;
  }
}

TEST(ResponsesRequest, ReadsTheOtherShapesClientsSend) {
  // A string input is one user message; no instructions, no system message.
  EXPECT_EQ(chat_of(R"({"model":"m","input":"hi"})"),
            json::parse(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})"));
  // An item with a role and no type is a message; system stays system; refusals and images.
  EXPECT_EQ(chat_of(R"({"model":"m","instructions":"","input":[
      {"role":"system","content":"Be brief."},
      {"role":"user","content":[{"type":"input_text","text":"What is this?"},
                                {"type":"input_image","image_url":"https://example.com/cat.png","detail":"low"}]},
      {"type":"message","role":"assistant","content":[{"type":"refusal","refusal":"I can't say."}]},
      {"role":"user","content":[{"type":"input_file","filename":"a.pdf","file_data":"data:application/pdf;base64,JVBE"}]}]})"),
            json::parse(R"({"model":"m","messages":[
      {"role":"system","content":"Be brief."},
      {"role":"user","content":[{"type":"text","text":"What is this?"},
                                {"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"low"}}]},
      {"role":"assistant","content":"I can't say."},
      {"role":"user","content":[{"type":"file","file":{"file_data":"data:application/pdf;base64,JVBE","filename":"a.pdf"}}]}]})"));
  // Assistant text, reasoning and tool calls of one turn merge into one assistant message; a tool
  // output given as parts is their text; calls without arguments get {}.
  EXPECT_EQ(chat_of(R"({"model":"m","input":[
      {"role":"user","content":"go"},
      {"type":"message","role":"assistant","content":[{"type":"output_text","text":"One"},{"type":"output_text","text":" moment."}]},
      {"type":"function_call","call_id":"c1","name":"a"},
      {"type":"function_call","call_id":"c2","name":"b","arguments":"{\"x\":1}"},
      {"type":"function_call_output","call_id":"c1","output":[{"type":"input_text","text":"A"},{"type":"input_text","text":"B"}]},
      {"type":"function_call_output","call_id":"c2","output":"ok"}]})"),
            json::parse(R"({"model":"m","messages":[
      {"role":"user","content":"go"},
      {"role":"assistant","content":"One moment.","tool_calls":[
         {"id":"c1","type":"function","function":{"name":"a","arguments":"{}"}},
         {"id":"c2","type":"function","function":{"name":"b","arguments":"{\"x\":1}"}}]},
      {"role":"tool","tool_call_id":"c1","content":"AB"},
      {"role":"tool","tool_call_id":"c2","content":"ok"}]})"));
  // Reasoning another provider encrypted cannot go anywhere else: it is left out, and opens no
  // empty assistant message.
  EXPECT_EQ(chat_of(R"({"model":"m","input":[{"role":"user","content":"a"},
      {"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"gAAAAABo2x-openai-encrypted"},
      {"role":"user","content":"b"}]})"),
            json::parse(R"({"model":"m","messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]})"));
}

TEST(ResponsesRequest, MapsOptionsToolsAndToolChoices) {
  // xhigh is the most a chat provider takes; effort none asks for no reasoning; streams ask for usage.
  auto chat = chat_of(R"({"model":"m","input":"hi","reasoning":{"effort":"xhigh"},"stream":true,
                          "temperature":0.5,"user":"u1","safety_identifier":"s1","service_tier":"flex",
                          "max_output_tokens":"many"})");
  EXPECT_EQ(chat.at("reasoning_effort"), "high");
  EXPECT_EQ(chat.at("stream_options"), json::parse(R"({"include_usage":true})"));
  EXPECT_EQ(chat.at("temperature"), 0.5);
  EXPECT_EQ(chat.at("user"), "u1");  // the client's own user wins over safety_identifier
  EXPECT_EQ(chat.at("service_tier"), "flex");
  EXPECT_FALSE(chat.contains("max_tokens"));
  EXPECT_FALSE(chat_of(R"({"model":"m","input":"hi","reasoning":{"effort":"none"},"stream":false})")
                   .contains("reasoning_effort"));
  EXPECT_FALSE(chat_of(R"({"model":"m","input":"hi","stream":false})").contains("stream"));

  // A function tool without parameters takes an empty object; web_search_preview is web_search too.
  auto tools = chat_of(R"({"model":"m","input":"hi","tools":[{"type":"function","name":"now","parameters":null},
                            {"type":"web_search_preview","search_context_size":"low"}],
                            "tool_choice":{"type":"allowed_tools","mode":"required","tools":[{"type":"function","name":"now"}]}})");
  EXPECT_EQ(tools.at("tools"),
            json::parse(R"([{"type":"function","function":{"name":"now","parameters":{"type":"object"}}},
                                               {"type":"web_search"}])"));
  EXPECT_EQ(tools.at("tool_choice"), "required");
  // A custom tool named in tool_choice is its function; a built-in one leaves the choice to the provider.
  EXPECT_EQ(chat_of(R"({"model":"m","input":"hi","tools":[{"type":"custom","name":"apply_patch"}],
                        "tool_choice":{"type":"custom","name":"apply_patch"}})")
                .at("tool_choice"),
            json::parse(R"({"type":"function","function":{"name":"apply_patch"}})"));
  EXPECT_FALSE(chat_of(R"({"model":"m","input":"hi","tools":[{"type":"web_search"}],
                           "tool_choice":{"type":"web_search_preview"}})")
                   .contains("tool_choice"));
  // With every tool left out there is no tool list, and no tool_choice or parallel_tool_calls
  // without one (OpenAI refuses parallel_tool_calls without tools).
  auto left = translated(json::parse(R"({"model":"m","input":"hi","tool_choice":"required","parallel_tool_calls":false,
      "tools":[{"type":"file_search","vector_store_ids":["vs_1"]},{"type":"code_interpreter","container":{"type":"auto"}}]})"));
  EXPECT_FALSE(left.chat.contains("tools"));
  EXPECT_FALSE(left.chat.contains("tool_choice"));
  EXPECT_FALSE(left.chat.contains("parallel_tool_calls"));
  auto to_anthropic = anthropic_request_from_openai(left.chat, "claude-sonnet-4-5");
  ASSERT_TRUE(std::holds_alternative<json::object>(to_anthropic));
  EXPECT_FALSE(std::get<json::object>(to_anthropic).contains("tool_choice"));
  EXPECT_FALSE(chat_of(R"({"model":"m","input":"hi","parallel_tool_calls":true})").contains("parallel_tool_calls"));
  EXPECT_EQ(left.left_out, (std::vector<std::string>{"file_search", "code_interpreter"}));

  // json_object as chat's; json_schema without a name is named "response"; text is no format.
  EXPECT_EQ(chat_of(R"({"model":"m","input":"hi","text":{"format":{"type":"json_object"}}})").at("response_format"),
            json::parse(R"({"type":"json_object"})"));
  EXPECT_EQ(chat_of(R"({"model":"m","input":"hi","text":{"format":{"type":"json_schema","schema":{"type":"object"},
                        "description":"A thing."}}})")
                .at("response_format"),
            json::parse(R"({"type":"json_schema","json_schema":{"name":"response","schema":{"type":"object"},
                            "description":"A thing."}})"));
  EXPECT_FALSE(chat_of(R"({"model":"m","input":"hi","text":{"format":{"type":"text"}}})").contains("response_format"));
}

TEST(ResponsesRequest, TheShellEchoesTheRequestAsOpenResponsesRequires) {
  // Every member ResponseResource requires, with its default when the request does not say.
  EXPECT_EQ(shell_of(R"({"model":"team/fast","input":"hi"})"), json::parse(R"({
    "object": "response", "model": "team/fast", "previous_response_id": null, "instructions": null,
    "tools": [], "tool_choice": "auto", "truncation": "disabled", "parallel_tool_calls": true,
    "text": {"format": {"type": "text"}}, "top_p": 1, "presence_penalty": 0, "frequency_penalty": 0,
    "top_logprobs": 0, "temperature": 1, "reasoning": {"effort": null, "summary": null},
    "max_output_tokens": null, "max_tool_calls": null, "store": true, "background": false,
    "service_tier": "default", "metadata": {}, "safety_identifier": null, "prompt_cache_key": null,
    "user": null})"));
  // The Agents SDK's request, every member as the schema wants it (its json_schema format with
  // description null).
  EXPECT_EQ(shell_of(fixture("responses/request_agents.json")), json::parse(fixture("responses/shell_agents.json")));
}

TEST(ResponsesRequest, TheShellFillsTheMembersTheSchemaRequiresOfToolsAndFormats) {
  // FunctionTool requires description, parameters and strict (null when not given); other tools
  // are echoed as they came.
  auto shell = shell_of(R"({"model":"m","input":"hi","previous_response_id":"resp_1","tools":[
      {"type":"function","name":"now"},{"type":"web_search","search_context_size":"low"},"junk"],
      "text":{"format":{"type":"json_schema","name":"out","schema":{"type":"object"}},"verbosity":"low"},
      "reasoning":{"effort":"high","summary":7},"tool_choice":"required","max_tool_calls":3,"store":false})");
  EXPECT_EQ(shell.at("tools"), json::parse(R"([
      {"type":"function","name":"now","description":null,"parameters":null,"strict":null},
      {"type":"web_search","search_context_size":"low"}])"));
  // JsonSchemaResponseFormat requires description (null) and strict (false when not given).
  EXPECT_EQ(shell.at("text"), json::parse(R"({"format":{"type":"json_schema","name":"out","schema":{"type":"object"},
                                                         "description":null,"strict":false},"verbosity":"low"})"));
  EXPECT_EQ(shell.at("reasoning"), json::parse(R"({"effort":"high","summary":null})"));
  EXPECT_EQ(shell.at("previous_response_id"), "resp_1");
  EXPECT_EQ(shell.at("tool_choice"), "required");
  EXPECT_EQ(shell.at("max_tool_calls"), 3);
  EXPECT_EQ(shell.at("store"), false);
  // A given description and strict stay as they were; null members take their defaults.
  auto given = shell_of(R"({"model":"m","input":"hi","temperature":null,"top_p":0.25,
      "text":{"format":{"type":"json_schema","name":"out","schema":{},"description":"Out.","strict":true}}})");
  EXPECT_EQ(given.at("text").at("format").at("description"), "Out.");
  EXPECT_EQ(given.at("text").at("format").at("strict"), true);
  EXPECT_EQ(given.at("temperature"), 1);
  EXPECT_EQ(given.at("top_p"), 0.25);
}

TEST(ResponsesRequest, LeavesOutWhatBuiltInToolsDidInsteadOfRefusingTheConversation) {
  // A conversation an OpenAI route served with its own tools, falling back to a chat provider.
  auto chat = chat_from_responses(json::parse(R"({"model":"m","input":[
      {"role":"user","content":"search it"},
      {"type":"web_search_call","id":"ws_1","status":"completed","action":{"type":"search","query":"q"}},
      {"type":"computer_call_output","call_id":"c1","output":{"type":"computer_screenshot"}},
      {"type":"message","role":"assistant","content":[{"type":"output_text","text":"found"}]}]})")
                                      .as_object());
  ASSERT_TRUE(std::holds_alternative<ChatFromResponses>(chat)) << std::get<Error>(chat).message;
  EXPECT_EQ(std::get<ChatFromResponses>(chat).chat.at("messages"),
            json::parse(R"([{"role":"user","content":"search it"},{"role":"assistant","content":"found"}])"));
}
