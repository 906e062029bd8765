namespace CollabEdit.LoadDriver;

/// <summary>
/// A seeded typist: mostly types one character at the cursor, sometimes backspaces, deletes
/// forward or moves the cursor somewhere else in its section. Never runs out.
/// </summary>
internal sealed class RandomTypingWorkload(int seed) : Workload("")
{
    private const string Keys = "abcdefghijklmnopqrstuvwxyz    etaoin,.\n";
    private readonly Random _random = new(seed);
    private int _cursor;

    public override bool HasNext => true;

    protected override SectionEdit Choose()
    {
        int length = SectionLength;
        _cursor = Math.Min(_cursor, length);
        double roll = _random.NextDouble();
        if (roll < 0.04 && length > 0)
        {
            _cursor = _random.Next(length + 1);
        }

        if (roll >= 0.04 && roll < 0.16 && _cursor > 0)
        {
            _cursor--;
            return new SectionEdit(_cursor, 1, "");
        }

        if (roll >= 0.16 && roll < 0.19 && _cursor < length)
        {
            return new SectionEdit(_cursor, 1, "");
        }

        string key = Keys[_random.Next(Keys.Length)].ToString();
        return new SectionEdit(_cursor++, 0, key);
    }
}
