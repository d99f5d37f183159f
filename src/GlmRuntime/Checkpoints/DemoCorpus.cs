namespace GlmRuntime.Checkpoints;

/// <summary>
/// The English text the demo tokenizer's merges are learned from. Written for this purpose (conversational
/// phrases, common function words, a little code and numbers) so that typical chat input compresses to a few
/// characters per token; changing it changes every demo model id, so bump <see cref="DemoModel"/>'s format version.
/// </summary>
internal static class DemoCorpus
{
    public const string Text = """
        Hello! How are you today? I am fine, thank you. What would you like to talk about?
        Hi there. Good morning, good afternoon and good evening. Nice to meet you.
        Can you help me with a question? Of course, I would be happy to help you with that.
        Please tell me more about what you need, and I will do my best to answer.
        Thanks for your help. You are welcome. Have a nice day, and see you later.
        What is the weather like today? It is sunny and warm, but it might rain in the evening.
        The sky was blue and the wind was cold when we walked to the station.
        I think that this is a good idea. I don't think so. Let me think about it for a moment.
        Why do you say that? Because it is true. Where is the nearest library? It is on the left.
        When will the train arrive? The train will arrive at ten o'clock in the morning.
        Who wrote this book? She wrote it a long time ago, when she was still a student.
        Which one do you prefer, the red one or the blue one? I like the green one better.
        We should start with the first step and then move on to the next one.
        There are many ways to solve this problem, and some of them are easier than others.
        The answer is simple: read the question carefully, write down what you know, and check your work.
        Learning a new language takes time, patience and a lot of practice every day.
        My favorite food is pasta with tomatoes, cheese and fresh basil from the garden.
        She went to the market to buy bread, milk, eggs, apples and a bottle of water.
        They have been working on this project for three years, and it is almost finished.
        He said that he would come back tomorrow, but nobody knows for sure.
        The children played in the park while their parents talked about the news.
        Music, art and science are all part of human culture and history.
        A computer program is a list of instructions that tells the machine what to do.
        The model reads the text as a sequence of tokens and predicts the next token, one at a time.
        A language model learns patterns from a large amount of text during training.
        This model has random weights, so its answers will not make any sense at all.
        To run the program, open a terminal, change to the project folder and type the command.
        The function returns the sum of two numbers. If the input is empty, it returns zero.
        for (int i = 0; i < count; i++) { total += values[i]; }
        def add(a, b): return a + b
        print("Hello, world!")
        if (x > 0 && y > 0) { return x * y; } else { return 0; }
        var result = await client.GetAsync(url);
        The file was saved in the documents folder with the name report.txt.
        Numbers: 1, 2, 3, 4, 5, 10, 20, 42, 100, 256, 1000, 2024, 3.14, 0.5 and 99 percent.
        In 1969 the first people walked on the moon. The year has 365 days and 12 months.
        The meeting starts at 9:30 and ends at 11:00, so please be on time.
        Water boils at 100 degrees and freezes at 0 degrees at sea level.
        Our planet moves around the sun, and the moon moves around our planet.
        Energy cannot be created or destroyed; it can only change from one form to another.
        The quick brown fox jumps over the lazy dog. The dog did not move.
        Once upon a time there was a small house near a river, and an old man lived there.
        Every morning he would open the window, look at the water and listen to the birds.
        One day a young traveler knocked on the door and asked for something to eat.
        The old man smiled, gave him some bread and soup, and asked where he was going.
        "I am looking for the city beyond the mountains," said the traveler.
        "It is a long way from here, but if you follow the river you will find it."
        Thank you very much. I really appreciate it. That sounds great, let's do it.
        Sorry, I did not understand. Could you please explain it again in other words?
        Sure. In other words, the important thing is to keep trying until it works.
        Yes, no, maybe. Right, left, up, down, here, there, now, then, always, never, sometimes.
        Could you, would you, should you, will you, can you, have you, did you, are you?
        It's, I'm, you're, we're, they're, don't, doesn't, didn't, can't, won't, isn't, aren't.
        Important information, interesting question, different answer, general example, special case.
        Running, walking, reading, writing, thinking, talking, working, learning, playing, making.
        Question, answer, problem, solution, result, reason, example, number, system, process, value.
        Please summarize the main points of the article in two or three sentences.
        The main point is that small changes can have a large effect over time.
        Here is a short list: first, second, third, and finally the last item.
        """;
}
