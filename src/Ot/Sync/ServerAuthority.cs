namespace CollabEdit.Ot.Sync;

/// <summary>
/// The server half of the sync algorithm for one document (Jupiter / ot.js style). It holds the
/// current text and revision and the most recent committed ops. A submit based on revision b is
/// transformed against each committed op b+1 … R in turn (never their composition), applied, and
/// committed as R+1. Not thread-safe: exactly one writer owns it.
/// </summary>
public sealed class ServerAuthority
{
    /// <summary>How many committed ops are kept when the owner does not say: a submit may lag this far.</summary>
    public const int DefaultMaxHistory = 1000;

    private readonly TextDocument _document;
    private readonly int _maxHistory;

    // Committed ops, oldest first; _history[i] produced revision _firstRevision + i.
    private readonly List<CommittedOp> _history = [];
    private int _firstRevision;

    // Every commit still inside the kept history by (clientId, seq), to recognise retries. Not just
    // each client's last one: an old connection's submit can reach the server after the client
    // has reconnected, resent it and moved on to its next seq.
    private readonly Dictionary<(string ClientId, long Seq), CommittedOp> _bySeq = [];

    // While commits are tentative (BeginTentative): the inverse of each, oldest first, and the ops
    // trimming dropped meanwhile, so RollBackTentative can restore the state exactly. Null otherwise.
    private List<TextOperation>? _undo;
    private List<CommittedOp>? _trimmed;

    /// <summary>
    /// An authority for a document whose text at <paramref name="revision"/> is
    /// <paramref name="text"/>. <paramref name="recent"/> are the latest committed ops, ending at
    /// <paramref name="revision"/>, so submits based on older revisions can still be transformed and
    /// retries recognised. At most <paramref name="maxHistory"/> ops are kept.
    /// </summary>
    public ServerAuthority(string text, int revision = 0, int maxHistory = DefaultMaxHistory, IEnumerable<CommittedOp>? recent = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(revision);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxHistory, 1);
        _document = new TextDocument(text);
        Revision = revision;
        _maxHistory = maxHistory;
        _firstRevision = revision + 1;
        foreach (var op in recent ?? [])
        {
            if (_history.Count > 0 && op.Revision != _history[^1].Revision + 1)
            {
                throw new ArgumentException(
                    $"ServerAuthority: recent ops must be consecutive; got {op.Revision} after {_history[^1].Revision}.", nameof(recent));
            }

            _history.Add(op);
            _bySeq[(op.ClientId, op.Seq)] = op;
        }

        if (_history.Count > 0)
        {
            if (_history[^1].Revision != revision)
            {
                throw new ArgumentException(
                    $"ServerAuthority: the recent ops end at {_history[^1].Revision}, not at revision {revision}.", nameof(recent));
            }

            _firstRevision = _history[0].Revision;
        }

        Trim();
    }

    /// <summary>The revision of the current text: the number of ops committed since creation.</summary>
    public int Revision { get; private set; }

    /// <summary>The current text, owned by the authority: read it, never apply to it directly.</summary>
    public TextDocument Document => _document;

    /// <summary>
    /// The oldest base revision a submit may have: the configured maximum lag behind the current
    /// revision, exactly (more ops may be kept, since trimming happens in chunks).
    /// </summary>
    public int OldestBaseRevision => Math.Max(_firstRevision - 1, Revision - _maxHistory);

    /// <summary>The committed ops kept in memory, oldest first.</summary>
    public IReadOnlyList<CommittedOp> History => _history;

    /// <summary>
    /// Commits <paramref name="op"/>, submitted by <paramref name="clientId"/> as its
    /// <paramref name="seq"/>th op against <paramref name="baseRevision"/>, or recognises a retry of
    /// one committed before. A rejection changes nothing.
    /// </summary>
    public SubmitResult Submit(string clientId, long seq, int baseRevision, TextOperation op)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(op);

        if (_bySeq.TryGetValue((clientId, seq), out var previous))
        {
            return previous.BaseRevision == baseRevision && previous.Submitted.Equals(op)
                ? SubmitResult.Duplicate(previous.Revision)
                : SubmitResult.Rejected(SubmitError.SeqReused, $"seq {seq} was already used for a different op.");
        }

        // A seq whose commit has left the kept history cannot be recognised, but its base revision
        // is older than that commit, so the check below refuses it as too old.
        if (baseRevision < 0 || baseRevision > Revision)
        {
            return SubmitResult.Rejected(
                SubmitError.FutureRevision, $"base revision {baseRevision} is outside 0…{Revision}.");
        }

        if (baseRevision < OldestBaseRevision)
        {
            return SubmitResult.Rejected(
                SubmitError.RevisionTooOld, $"base revision {baseRevision} is older than the oldest kept, {OldestBaseRevision}.");
        }

        return Commit(clientId, seq, baseRevision, op, baseRevision, op);
    }

    /// <summary>
    /// Commits a submit based on a revision older than <see cref="OldestBaseRevision"/>, given
    /// <paramref name="older"/>: the committed ops after <paramref name="baseRevision"/> up to
    /// <see cref="OldestBaseRevision"/>, in order (read from the log by the owner). The op is
    /// transformed through them, then through the kept ones, as <see cref="Submit"/> does. A retry
    /// is recognised among them too: any commit of (<paramref name="clientId"/>,
    /// <paramref name="seq"/>) based on <paramref name="baseRevision"/> came after it, so it is
    /// either kept or in <paramref name="older"/>. The commit records the base and op as sent, so a
    /// later retry of it is recognised. Throws <see cref="ArgumentException"/> if
    /// <paramref name="older"/> is not exactly that range.
    /// </summary>
    public SubmitResult SubmitFromBefore(string clientId, long seq, int baseRevision, TextOperation op, IReadOnlyList<CommittedOp> older)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(op);
        ArgumentNullException.ThrowIfNull(older);
        int oldest = OldestBaseRevision;
        if (baseRevision < 0 || baseRevision >= oldest)
        {
            return Submit(clientId, seq, baseRevision, op);
        }

        if (older.Count != oldest - baseRevision || older[0].Revision != baseRevision + 1 || older[^1].Revision != oldest)
        {
            throw new ArgumentException($"ServerAuthority: the older ops must be revisions {baseRevision + 1}…{oldest}.", nameof(older));
        }

        if (_bySeq.ContainsKey((clientId, seq)))
        {
            return Submit(clientId, seq, baseRevision, op);
        }

        TextOperation transformed = op;
        try
        {
            foreach (var committed in older)
            {
                if (committed.ClientId == clientId && committed.Seq == seq)
                {
                    return committed.BaseRevision == baseRevision && committed.Submitted.Equals(op)
                        ? SubmitResult.Duplicate(committed.Revision)
                        : SubmitResult.Rejected(SubmitError.SeqReused, $"seq {seq} was already used for a different op.");
                }

                (_, transformed) = TextOperation.Transform(committed.Operation, transformed);
            }
        }
        catch (InvalidTextOperationException e)
        {
            return SubmitResult.Rejected(SubmitError.InvalidOperation, e.Message);
        }

        return Commit(clientId, seq, baseRevision, op, oldest, transformed);
    }

    /// <summary>Transforms <paramref name="op"/>, based on <paramref name="from"/> (inside the kept window), through the kept ops after it, applies it and commits it as sent (<paramref name="sentBase"/>, <paramref name="sent"/>).</summary>
    private SubmitResult Commit(string clientId, long seq, int sentBase, TextOperation sent, int from, TextOperation op)
    {
        TextOperation transformed = op;
        try
        {
            for (int i = from - (_firstRevision - 1); i < _history.Count; i++)
            {
                (_, transformed) = TextOperation.Transform(_history[i].Operation, transformed);
            }

            // An op that does not fit is refused by Apply below; only one that fits has an inverse.
            var inverse = _undo is not null && transformed.BaseLength == _document.Length ? InverseOnDocument(transformed) : null;
            _document.Apply(transformed);
            if (inverse is not null)
            {
                _undo!.Add(inverse);
            }
        }
        catch (InvalidTextOperationException e)
        {
            return SubmitResult.Rejected(SubmitError.InvalidOperation, e.Message);
        }

        Revision++;
        var committed = new CommittedOp(Revision, transformed, clientId, seq, sentBase, sent);
        _history.Add(committed);
        _bySeq[(clientId, seq)] = committed;
        Trim();
        return SubmitResult.Committed(committed);
    }

    /// <summary>
    /// Adds older committed ops in front of the kept ones: <paramref name="older"/> must be
    /// consecutive and end just before the oldest kept op (or at <see cref="Revision"/> when none
    /// is kept). Lets an owner that opened the document from a snapshot read the rest of the
    /// window later, before the first submit needs it. Ops beyond the maximum lag are not kept.
    /// </summary>
    public void PrependHistory(IReadOnlyList<CommittedOp> older)
    {
        ArgumentNullException.ThrowIfNull(older);
        if (older.Count == 0)
        {
            return;
        }

        for (int i = 1; i < older.Count; i++)
        {
            if (older[i].Revision != older[i - 1].Revision + 1)
            {
                throw new ArgumentException(
                    $"ServerAuthority: older ops must be consecutive; got {older[i].Revision} after {older[i - 1].Revision}.", nameof(older));
            }
        }

        if (older[^1].Revision != _firstRevision - 1)
        {
            throw new ArgumentException(
                $"ServerAuthority: older ops must end at {_firstRevision - 1}, not at {older[^1].Revision}.", nameof(older));
        }

        int keepFrom = Revision - _maxHistory + 1;
        var kept = older.Where(op => op.Revision >= keepFrom).ToList();
        if (kept.Count == 0)
        {
            return;
        }

        foreach (var op in kept)
        {
            _bySeq.TryAdd((op.ClientId, op.Seq), op);
        }

        _history.InsertRange(0, kept);
        _firstRevision = kept[0].Revision;
    }

    /// <summary>
    /// Takes in an op another authority committed as the next revision (another process sharing
    /// the document's log): applied as it was committed, never transformed, and kept like one of
    /// this authority's own, so later submits transform against it and a retry of it is recognised.
    /// Throws <see cref="ArgumentException"/> unless its revision is <see cref="Revision"/> + 1, and
    /// <see cref="InvalidTextOperationException"/> if it does not apply to the current text.
    /// </summary>
    public void AcceptCommitted(CommittedOp op)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (op.Revision != Revision + 1)
        {
            throw new ArgumentException($"ServerAuthority: a committed op must be revision {Revision + 1}, not {op.Revision}.", nameof(op));
        }

        _document.Apply(op.Operation);
        Revision++;
        _history.Add(op);
        _bySeq[(op.ClientId, op.Seq)] = op;
        Trim();
    }

    /// <summary>
    /// True when (<paramref name="clientId"/>, <paramref name="seq"/>) was committed inside the kept
    /// history: submitting it again is a retry, answered with its first revision by <see cref="Submit"/>.
    /// </summary>
    public bool IsRetry(string clientId, long seq) => _bySeq.ContainsKey((clientId, seq));

    /// <summary>The kept committed ops after <paramref name="revision"/>, oldest first.</summary>
    public IEnumerable<CommittedOp> Since(int revision)
    {
        if (revision < OldestBaseRevision || revision > Revision)
        {
            throw new ArgumentOutOfRangeException(nameof(revision), revision, $"Since: kept revisions are {OldestBaseRevision}…{Revision}.");
        }

        for (int i = revision - (_firstRevision - 1); i < _history.Count; i++)
        {
            yield return _history[i];
        }
    }

    /// <summary>
    /// From now on, commits made by <see cref="Submit"/> are tentative: <see cref="RollBackTentative"/>
    /// takes them all back, <see cref="AcceptTentative"/> keeps them. Costs one copy of each op's
    /// deleted text. For an owner whose durable write can be refused after it committed in memory
    /// (another process sharing the log committed first).
    /// </summary>
    public void BeginTentative()
    {
        _undo = [];
        _trimmed = [];
    }

    /// <summary>The tentative commits stay; commits are final again.</summary>
    public void AcceptTentative()
    {
        _undo = null;
        _trimmed = null;
    }

    /// <summary>
    /// Takes back every commit since <see cref="BeginTentative"/>, newest first: the text, the
    /// revision, the kept history and the retries recognised are as they were. Throws
    /// <see cref="InvalidOperationException"/> unless commits are tentative.
    /// </summary>
    public void RollBackTentative()
    {
        var undo = _undo ?? throw new InvalidOperationException("RollBackTentative: no tentative commits (BeginTentative was not called).");
        if (undo.Count > _history.Count)
        {
            // More tentative commits than the history keeps (trimming dropped some of them).
            throw new InvalidOperationException($"RollBackTentative: {undo.Count} tentative commits, but only {_history.Count} ops are kept.");
        }
        for (int i = undo.Count - 1; i >= 0; i--)
        {
            _document.Apply(undo[i]);
            var last = _history[^1];
            _history.RemoveAt(_history.Count - 1);
            _bySeq.Remove((last.ClientId, last.Seq));
            Revision--;
        }

        var trimmed = _trimmed!;
        if (trimmed.Count > 0)
        {
            _history.InsertRange(0, trimmed);
            _firstRevision = trimmed[0].Revision;
            foreach (var op in trimmed)
            {
                _bySeq[(op.ClientId, op.Seq)] = op;
            }
        }

        if (_history.Count == 0)
        {
            _firstRevision = Revision + 1;
        }

        AcceptTentative();
    }

    /// <summary>The op that undoes <paramref name="op"/> on the current text, read from the text in place (no copy of it).</summary>
    private TextOperation InverseOnDocument(TextOperation op)
    {
        var builder = new TextOperationBuilder();
        int pos = 0;
        foreach (var component in op.Components)
        {
            switch (component)
            {
                case Retain r:
                    builder.Retain(r.Count);
                    pos += r.Count;
                    break;
                case Insert i:
                    builder.Delete(i.Text.Length);
                    break;
                case Delete d:
                    builder.Insert(_document.Substring(pos, d.Count));
                    pos += d.Count;
                    break;
            }
        }

        return builder.Build();
    }

    private void Trim()
    {
        // Drop in chunks so trimming stays amortised O(1) per commit.
        if (_history.Count <= _maxHistory + Math.Max(16, _maxHistory / 4))
        {
            return;
        }

        int drop = _history.Count - _maxHistory;
        for (int i = 0; i < drop; i++)
        {
            _bySeq.Remove((_history[i].ClientId, _history[i].Seq));
        }

        _trimmed?.AddRange(_history.Take(drop));

        _history.RemoveRange(0, drop);
        _firstRevision += drop;
    }
}
