/** A pattern compile error. `position` is the 0-based byte offset in the UTF-8 pattern. */
export class RegexError {
  constructor(public message: string, public position: i32) {}

  toString(): string { return this.message + " at byte " + this.position.toString(); }
}
