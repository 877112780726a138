// Test support: a native route list compiled into a RouteTable, classified without a proxy host.
// Shared by the route table specs (table.spec.ts, mixed.spec.ts).
import { parseJsonString } from "../../../assembly/config/json";
import { Diagnostics } from "../../../assembly/config/diagnostics";
import { readNativeConfig, NativeConfig } from "../../../assembly/config/native";
import { RouteTable } from "../../../assembly/routes/table";
import { RequestView, HeaderSource } from "../../../assembly/routes/request";

export class MapHeaders extends HeaderSource {
  names: string[] = [];
  values: string[] = [];
  lookups: i32 = 0;
  header(name: ArrayBuffer): ArrayBuffer | null {
    this.lookups++;
    const i = this.names.indexOf(String.UTF8.decode(name));
    return i < 0 ? null : String.UTF8.encode(this.values[i]);
  }
}

export class Fixture {
  config: NativeConfig = new NativeConfig();
  table: RouteTable = new RouteTable([]);
  view: RequestView = new RequestView();
  headers: MapHeaders = new MapHeaders();

  constructor(routesJson: string) {
    const diags = new Diagnostics();
    const parsed = parseJsonString('{"routes": ' + routesJson + "}");
    this.config = readNativeConfig(parsed.value!.asObject(), diags);
    if (!diags.ok) throw new Error("fixture config invalid: " + diags.errors[0].toString());
    this.table = new RouteTable(this.config.routes);
    this.view.prepare(this.table.headerSlots, this.table.queryNames);
  }

  /** Route name for `METHOD path` ("-" when unmatched); `headers` is "k=v,k2=v2". */
  classify(method: string, path: string, headers: string = ""): string {
    this.headers.names = [];
    this.headers.values = [];
    if (headers.length > 0) {
      const pairs = headers.split(",");
      for (let i = 0; i < pairs.length; i++) {
        const kv = pairs[i].split("=");
        this.headers.names.push(kv[0]);
        this.headers.values.push(kv[1]);
      }
    }
    this.view.reset(String.UTF8.encode(method), String.UTF8.encode(path), this.headers);
    const r = this.table.match(this.view);
    return r < 0 ? "-" : this.config.routes[r].name;
  }
}

/** The configuration errors of `{"routes": routesJson}`, joined by " | " ("" when valid). */
export function routeErrors(routesJson: string): string {
  const diags = new Diagnostics();
  const parsed = parseJsonString('{"routes": ' + routesJson + "}");
  readNativeConfig(parsed.value!.asObject(), diags);
  const out: string[] = [];
  for (let i = 0; i < diags.errors.length; i++) out.push(diags.errors[i].toString());
  return out.join(" | ");
}
