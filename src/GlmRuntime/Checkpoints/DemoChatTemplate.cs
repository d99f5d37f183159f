namespace GlmRuntime.Checkpoints;

/// <summary>
/// The demo model's Jinja <c>chat_template</c>: the GLM-5 format of MODEL.md §5.2, written for the demo so that
/// the model folder looks like a real GLM-5 checkpoint (the template is read from tokenizer_config.json, not
/// built in). It renders exactly what <see cref="Chat.Glm5ChatFormat"/> renders for string or text-part contents
/// and object-valued tool-call arguments (a test holds the two together).
/// </summary>
internal static class DemoChatTemplate
{
    // Whitespace control ({%- -%}) on every tag: GLM-5 puts no newline after role tokens, so the only
    // newlines in the output are those inside string literals and message contents.
    public const string Source = """
        {#- GLM-5 chat format (MODEL.md 5.2): [gMASK]<sop>, role tokens, no end-of-turn token. -#}
        {%- macro visible_text(content) -%}
        {%- if content is string -%}{{ content }}
        {%- elif content is iterable and content is not mapping -%}
        {%- for part in content -%}
        {%- if part is string -%}{{ part }}
        {%- elif part is mapping and part.type == 'text' -%}{{ part.text }}
        {%- endif -%}
        {%- endfor -%}
        {%- else -%}{{ content }}
        {%- endif -%}
        {%- endmacro -%}
        {%- set ns = namespace(last_user=-1) -%}
        {%- for m in messages -%}
        {%- if m.role == 'user' -%}{%- set ns.last_user = loop.index0 -%}{%- endif -%}
        {%- endfor -%}
        [gMASK]<sop>
        {%- if tools -%}
        {{- '<|system|>\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' -}}
        {{- 'You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n' -}}
        {%- for tool in tools -%}{{ tool | tojson(ensure_ascii=False) }}{{ '\n' }}{%- endfor -%}
        {{- '</tools>\n\nFor each function call, output the function name and arguments within the following XML format:\n' -}}
        {{- '<tool_call>{function-name}<arg_key>{arg-key-1}</arg_key><arg_value>{arg-value-1}</arg_value>' -}}
        {{- '<arg_key>{arg-key-2}</arg_key><arg_value>{arg-value-2}</arg_value>...</tool_call>' -}}
        {%- endif -%}
        {%- for m in messages -%}
        {%- set content = visible_text(m.content) | string -%}
        {%- if m.role == 'system' -%}<|system|>{{ content }}
        {%- elif m.role == 'user' -%}<|user|>{{ content }}
        {%- elif m.role == 'assistant' -%}
        {#- Reasoning: reasoning_content, else the text before the first </think> (after the last <think>). -#}
        {%- set reasoning = '' -%}
        {%- if m.reasoning_content is string -%}
        {%- set reasoning = m.reasoning_content -%}
        {%- elif '</think>' in content -%}
        {%- set halves = content.split('</think>', 1) -%}
        {%- set reasoning = halves[0].split('<think>')[-1].strip('\n') -%}
        {%- set content = halves[1].lstrip('\n') -%}
        {%- endif -%}
        <|assistant|>
        {%- set keep_reasoning = loop.index0 > ns.last_user or (clear_thinking is defined and not clear_thinking) -%}
        {%- if keep_reasoning and reasoning -%}<think>{{ reasoning.strip() }}</think>
        {%- else -%}</think>
        {%- endif -%}
        {{ content.strip() }}
        {%- for call in m.tool_calls or [] -%}
        {%- set f = call.function if call.function else call -%}
        <tool_call>{{ f.name if f.name is defined and f.name is not none else '' }}
        {%- if f.arguments is mapping -%}
        {%- for key, value in f.arguments.items() -%}
        <arg_key>{{ key }}</arg_key><arg_value>{{ value if value is string else value | tojson(ensure_ascii=False) }}</arg_value>
        {%- endfor -%}
        {%- endif -%}
        </tool_call>
        {%- endfor -%}
        {%- elif m.role == 'tool' -%}
        {%- if loop.first or loop.previtem.role != 'tool' -%}<|observation|>{%- endif -%}
        <tool_response>{{ content }}</tool_response>
        {%- endif -%}
        {%- endfor -%}
        {%- if add_generation_prompt -%}
        <|assistant|>{{ '</think>' if enable_thinking is defined and not enable_thinking else '<think>' }}
        {%- endif -%}
        """;
}
