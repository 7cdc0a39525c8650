#include "sim/answer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

using namespace switchyard::sim;
namespace json = boost::json;

TEST(Answer, EchoRepeatsTheLastUserMessageTokenByToken) {
  Prompt p;
  p.last_user_text = "hello big world";
  p.prompt_chars = 15;
  Answer a = compose_answer(Scenario{"echo"}, p);
  EXPECT_EQ(a.pieces, (std::vector<std::string>{"hello", " big", " world"}));
  EXPECT_EQ(a.completion_tokens, 3);
  EXPECT_EQ(a.prompt_tokens, 4);
  EXPECT_EQ(a.finish, Finish::stop);
}

TEST(Answer, LoremHasTheRequestedLength) {
  Scenario s{"lorem"};
  s.len = 30;
  Answer a = compose_answer(s, Prompt{});
  EXPECT_EQ(a.pieces.size(), 30u);
  EXPECT_EQ(a.text().substr(0, 16), "The gateway rout");
}

TEST(Answer, CallsTheNamedToolWithArgumentsMatchingItsSchema) {
  Prompt p;
  p.tools.push_back(Tool{"first", {}});
  p.tools.push_back(Tool{"lookup", json::parse(R"({"type":"object","properties":{
      "q":{"type":"string"},"n":{"type":"integer"},"exact":{"type":"boolean"},
      "mode":{"type":"string","enum":["fast","slow"]},"tags":{"type":"array","items":{"type":"string"}}}})")
                                       .as_object()});
  p.forced_tool = "lookup";
  Answer a = compose_answer(Scenario{"echo"}, p);
  ASSERT_TRUE(a.tool_call);
  EXPECT_EQ(a.tool_call->name, "lookup");
  EXPECT_EQ(json::parse(a.tool_call->arguments_json),
            json::parse(R"({"q":"sim","n":1,"exact":true,"mode":"fast","tags":["sim"]})"));
  EXPECT_EQ(a.finish, Finish::tool_calls);
}

TEST(Answer, CallsAToolOnlyWhenTheRequestAsksForOne) {
  Prompt p;
  p.tools.push_back(Tool{"first", {}});
  p.tools.push_back(Tool{"second", {}});
  p.last_user_text = "what is the weather?";
  EXPECT_FALSE(compose_answer(Scenario{"echo"}, p).tool_call) << "tools offered, none asked for: text";
  p.last_user_text = "what is the weather? [call]";
  ASSERT_TRUE(compose_answer(Scenario{"echo"}, p).tool_call);
  EXPECT_EQ(compose_answer(Scenario{"echo"}, p).tool_call->name, "first");
  p.last_user_text = "look it up [call:second] please";
  ASSERT_TRUE(compose_answer(Scenario{"echo"}, p).tool_call);
  EXPECT_EQ(compose_answer(Scenario{"echo"}, p).tool_call->name, "second");
  p.last_user_text = "[call:unknown]";
  EXPECT_FALSE(compose_answer(Scenario{"echo"}, p).tool_call) << "a tool the request does not offer is never called";
  p.last_user_text = "plain";
  p.tool_required = true;
  ASSERT_TRUE(compose_answer(Scenario{"echo"}, p).tool_call);
  EXPECT_EQ(compose_answer(Scenario{"echo"}, p).tool_call->name, "first");
}

TEST(Answer, NoToolCallWhenToolsAreOffOrAResultCameBack) {
  Prompt p;
  p.tools.push_back(Tool{"t", {}});
  p.tools_allowed = false;
  p.last_user_text = "hi [call]";
  EXPECT_FALSE(compose_answer(Scenario{"echo"}, p).tool_call);
  p.tools_allowed = true;
  p.answering_tool_result = true;
  p.tool_result_text = "42";
  Answer a = compose_answer(Scenario{"echo"}, p);
  EXPECT_FALSE(a.tool_call);
  EXPECT_EQ(a.text(), "Tool result: 42");
}

TEST(Answer, APrefillTheTextStartsWithIsContinued) {
  Scenario s{"lorem"};
  s.len = 6;
  Prompt p;
  p.prompt_chars = 40;
  std::string full = compose_answer(s, p).text();
  ASSERT_EQ(full, "The gateway routes every request to");
  p.prefill = "The gateway rou";  // ends inside a token
  Answer a = compose_answer(s, p);
  EXPECT_EQ(a.pieces, (std::vector<std::string>{"tes", " every", " request", " to"}));
  EXPECT_EQ(p.prefill + a.text(), full);
  EXPECT_EQ(a.completion_tokens, 4) << "only what is said counts";
  EXPECT_EQ(a.prompt_tokens, 10);
  p.prefill = full;
  EXPECT_EQ(compose_answer(s, p).text(), "") << "a complete prefill leaves nothing to say";
  EXPECT_EQ(compose_answer(s, p).completion_tokens, 0);
}

TEST(Answer, APrefillTheTextDoesNotStartWithIsIgnored) {
  Prompt p;
  p.last_user_text = "hello big world";
  p.prefill = "Sure! hello";
  Answer a = compose_answer(Scenario{"echo"}, p);
  EXPECT_EQ(a.text(), "hello big world") << "a model that starts over";
  EXPECT_EQ(a.completion_tokens, 3);
}
