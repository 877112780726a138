// ParsedConfig → Classifier. Compilation problems (bad CEL) are added to the same diagnostics as
// parse problems, so the operator sees every error of a configuration at once.
import { ParsedConfig, ConfigForm } from "../config/index";
import { Classifier, NoopClassifier } from "./classifier";
import { NativeClassifier } from "./native";
import { AttributeGenClassifier } from "./attributegen";

export function buildClassifier(parsed: ParsedConfig): Classifier {
  if (!parsed.diags.ok) return new NoopClassifier();
  if (parsed.form == ConfigForm.Native) return new NativeClassifier(parsed.native!);
  if (parsed.form == ConfigForm.AttributeGen) return new AttributeGenClassifier(parsed.attributeGen!, parsed.diags, parsed.metrics);
  return new NoopClassifier();
}
