#pragma once
#include <memory>

#include "translate/stream_translator.h"

namespace switchyard {

// One translator feeding another (Gemini -> OpenAI -> Anthropic, say). Either may be null,
// meaning "no change"; the chain of two nulls is null.
std::unique_ptr<StreamTranslator> chain(std::unique_ptr<StreamTranslator> first,
                                        std::unique_ptr<StreamTranslator> second);

}  // namespace switchyard
