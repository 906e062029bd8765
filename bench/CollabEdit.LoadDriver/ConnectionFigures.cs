namespace CollabEdit.LoadDriver;

/// <summary>Client connections: opened, still connected at the end, dropped on the way.</summary>
internal sealed record ConnectionFigures(int Opened, int HeldAtEnd, int Dropped);
