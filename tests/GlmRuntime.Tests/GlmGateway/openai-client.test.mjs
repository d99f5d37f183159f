// The gateway through the official `openai` npm package: what a Node.js user of an OpenAI-compatible server does.
// Run by OpenAiClientTests with GATEWAY_URL, GATEWAY_KEY and GATEWAY_MODEL set; prints "ok"/"not ok" lines and exits
// non-zero when any check fails.
import OpenAI from 'openai';

const baseURL = `${process.env.GATEWAY_URL}/v1`;
const model = process.env.GATEWAY_MODEL;
const client = new OpenAI({ baseURL, apiKey: process.env.GATEWAY_KEY, maxRetries: 0, timeout: 120_000 });
let failures = 0;

function check(name, condition, detail) {
  console.log(`${condition ? 'ok' : 'not ok'} - ${name}${condition ? '' : ` (${JSON.stringify(detail)})`}`);
  if (!condition) failures++;
}

const ask = [{ role: 'user', content: 'What is the weather in Paris?' }];
const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const forceWeather = { type: 'function', function: { name: 'get_weather' } };

// Models.
const models = await client.models.list();
check('models.list names the served model', models.data.length === 1 && models.data[0].id === model, models.data);

// Non-streaming chat: greedy with thinking off, so the answer is plain content.
const plain = { model, messages: ask, max_tokens: 10, temperature: 0, chat_template_kwargs: { enable_thinking: false } };
const whole = await client.chat.completions.create(plain);
const choice = whole.choices[0];
check('chat: one assistant choice', whole.object === 'chat.completion' && choice.message.role === 'assistant', whole);
check('chat: content is text', typeof choice.message.content === 'string' && choice.message.content.length > 0, choice.message);
check('chat: usage counts the tokens', whole.usage.completion_tokens === 10 && whole.usage.prompt_tokens > 0
  && whole.usage.total_tokens === whole.usage.prompt_tokens + 10, whole.usage);
check('chat: usage reports cached prompt tokens', typeof whole.usage.prompt_tokens_details?.cached_tokens === 'number', whole.usage);
check('chat: finish_reason is length', choice.finish_reason === 'length', choice.finish_reason);

// Streaming chat: the same greedy answer, chunk by chunk, with the usage chunk at the end.
const stream = await client.chat.completions.create({ ...plain, stream: true, stream_options: { include_usage: true } });
let streamed = '';
let usage = null;
let finish = null;
let chunks = 0;
for await (const chunk of stream) {
  chunks++;
  if (chunk.usage) usage = chunk.usage;
  for (const c of chunk.choices) {
    streamed += c.delta?.content ?? '';
    finish = c.finish_reason ?? finish;
  }
}
check('stream: several chunks', chunks >= 3, chunks);
check('stream: same text as non-streaming', streamed === choice.message.content, { streamed, whole: choice.message.content });
check('stream: finish_reason is length', finish === 'length', finish);
check('stream: usage chunk', usage?.completion_tokens === 10 && usage?.prompt_tokens === whole.usage.prompt_tokens, usage);

// Tool call round trip. The demo model has random weights, so the call is forced (tool_choice names the function): the
// server opens it in the prompt and parses what follows into tool_calls.
const called = await client.chat.completions.create({
  model, messages: ask, tools: [weatherTool], tool_choice: forceWeather, max_tokens: 8, temperature: 0,
});
const calls = called.choices[0].message.tool_calls ?? [];
check('tools: one tool call', calls.length === 1, called.choices[0].message);
const call = calls[0];
check('tools: the call names get_weather with an id', call?.type === 'function' && call.function.name === 'get_weather'
  && /^call_/.test(call.id), call);
let args = null;
try { args = JSON.parse(call.function.arguments); } catch { /* checked below */ }
check('tools: arguments are a JSON object', args !== null && typeof args === 'object' && !Array.isArray(args), call?.function);

// Streaming tool call: id and name on the first delta, arguments in pieces that concatenate to a JSON object.
const toolStream = await client.chat.completions.create({
  model, messages: ask, tools: [weatherTool], tool_choice: forceWeather, max_tokens: 8, temperature: 0, stream: true,
});
const built = {};
for await (const chunk of toolStream) {
  for (const delta of chunk.choices[0]?.delta?.tool_calls ?? []) {
    const entry = (built[delta.index] ??= { id: null, name: '', arguments: '' });
    entry.id ??= delta.id ?? null;
    entry.name += delta.function?.name ?? '';
    entry.arguments += delta.function?.arguments ?? '';
  }
}
const streamedCall = built[0];
check('tools stream: the call is rebuilt from deltas', streamedCall?.name === 'get_weather' && /^call_/.test(streamedCall.id ?? ''), built);
check('tools stream: same arguments as non-streaming', streamedCall?.arguments === call?.function.arguments, { streamedCall, call });

// Send the call and its result back: the server renders both into GLM's markup and answers.
const followUp = await client.chat.completions.create({
  model, max_tokens: 6, temperature: 0, tools: [weatherTool],
  messages: [...ask, called.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '{"temperature_c": 18, "sky": "clear"}' }],
});
check('tools: the answer after the tool result', followUp.choices[0].message.role === 'assistant'
  && followUp.usage.prompt_tokens > called.usage.prompt_tokens, followUp);

// Errors come back as the client's typed errors, naming the field.
try {
  await client.chat.completions.create({ model, messages: ask, temperature: 7 });
  check('errors: bad temperature is refused', false, 'no error');
} catch (error) {
  check('errors: bad temperature is a 400 naming the field', error instanceof OpenAI.BadRequestError && error.param === 'temperature', String(error));
}
try {
  await new OpenAI({ baseURL, apiKey: 'wrong', maxRetries: 0 }).models.list();
  check('errors: a wrong key is refused', false, 'no error');
} catch (error) {
  check('errors: a wrong key is a 401', error instanceof OpenAI.AuthenticationError, String(error));
}

// Cancellation: abort a long stream after a few chunks; the server must drop the request and free its KV pages.
const generated = async () => Number(/^glm_generation_tokens_total (\d+)/m.exec(
  await (await fetch(`${process.env.GATEWAY_URL}/metrics`)).text())?.[1] ?? NaN);
const generatedBefore = await generated();
const controller = new AbortController();
const long = await client.chat.completions.create(
  { model, messages: ask, max_tokens: 3000, stream: true, ignore_eos: true }, { signal: controller.signal });
let seen = 0;
let ended = 'normally';
try {
  for await (const chunk of long) {
    if (++seen === 3) controller.abort();
  }
} catch (error) {
  ended = error instanceof OpenAI.APIUserAbortError || error.name === 'AbortError' ? 'aborted' : String(error);
}
// openai-node ends an aborted stream's iteration quietly (older versions threw APIUserAbortError): either way the
// iteration must stop soon after the abort (chunks already received may still come), long before the 3,000 tokens.
check('cancel: aborting ends the stream', controller.signal.aborted && seen < 100 && (ended === 'normally' || ended === 'aborted'), { seen, ended });
let health = null;
for (let i = 0; i < 200; i++) {
  health = await (await fetch(`${process.env.GATEWAY_URL}/health`)).json();
  if (health.running_requests === 0 && health.waiting_requests === 0) break;
  await new Promise(resolve => setTimeout(resolve, 50));
}
check('cancel: the engine dropped the request', health.running_requests === 0 && health.waiting_requests === 0, health);
const generatedAfter = await generated();
check('cancel: generation stopped early', generatedAfter - generatedBefore < 1000, { generatedBefore, generatedAfter });
const metrics = await (await fetch(`${process.env.GATEWAY_URL}/metrics`)).text();
check('cancel: its KV pages are free', /^glm_kv_pages_in_use 0$/m.test(metrics), metrics.split('\n').filter(l => l.startsWith('glm_kv')));

console.log(failures === 0 ? 'all checks passed' : `${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
