// A set of names (route names / attribute values) stored as one UTF-8 buffer plus a record per
// name (a ByteKeyTable in namespace 0, the name's index as its value). One object however many
// names: cheap for the garbage collector to mark, and the bytes can be handed to the host
// (set_property) without building anything per request. The lookup index is only needed while
// names are added (no Map entry per name: configure time adds one name per route), so freeze()
// drops it.
import { ByteKeyTable } from "../routes/bytes";

export class NameTable extends ByteKeyTable {
  constructor() {
    super();
    this.lookups = false;
  }

  // add(name) (ByteKeyTable): adds `name` once and returns its index.

  get count(): i32 {
    return this.size;
  }

  @inline ptr(i: i32): usize {
    return this.keyPtr(i);
  }

  @inline len(i: i32): i32 {
    return this.keyLength(i);
  }

  /** The name as a string (configure time, debug logs, first definition of a metric). */
  text(i: i32): string {
    return String.UTF8.decodeUnsafe(this.keyPtr(i), <usize>this.keyLength(i));
  }
}
