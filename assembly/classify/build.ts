// ParsedConfig → Classifier. Compilation problems (bad CEL) and label clashes are added to the same
// diagnostics as parse problems, so the operator sees every error of a configuration at once. The
// classifier is built from the valid parts; whether it is used is the root context's decision.
import { ParsedConfig, ConfigForm } from "../config/index";
import { Diagnostics, index } from "../config/diagnostics";
import { RouteSpec } from "../routes/spec";
import { Classifier } from "./classifier";
import { NativeClassifier } from "./native";
import { ServicesClassifier } from "./services";
import { AttributeGenClassifier } from "./attributegen";
import { OperationLabels, mayChangeAsLabel } from "./operation-labels";

export function buildClassifier(parsed: ParsedConfig): Classifier {
  if (parsed.form == ConfigForm.Native) {
    const config = parsed.native!;
    if (config.hasServices) {
      // Route names are labels within their service (the service label tells two services apart).
      for (let s = 0; s < config.services.length; s++) {
        const service = config.services[s];
        service.routes = withDistinctLabels(service.routes, new OperationLabels(parsed.metrics, parsed.diags), parsed.diags, service.routesPath);
      }
      return new ServicesClassifier(config);
    }
    config.routes = withDistinctLabels(config.routes, new OperationLabels(parsed.metrics, parsed.diags), parsed.diags, "routes");
    return new NativeClassifier(config);
  }
  if (parsed.form == ConfigForm.AttributeGen) {
    return new AttributeGenClassifier(parsed.attributeGen!, parsed.diags, parsed.metrics,
      new OperationLabels(parsed.metrics, parsed.diags));
  }
  return new Classifier(); // classifies nothing
}

/** The routes whose names keep a label of their own (in place); a later route that clashes is left out. */
function withDistinctLabels(routes: RouteSpec[], labels: OperationLabels, diags: Diagnostics, base: string): RouteSpec[] {
  let anyMayChange = false;
  for (let i = 0; i < routes.length && !anyMayChange; i++) anyMayChange = mayChangeAsLabel(routes[i].name);
  if (!anyMayChange) labels.namesKeepTheirLabels();
  let kept = 0;
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i];
    if (labels.admit(route.name, base, route.index, ".name")) routes[kept++] = route;
    else diags.drop(index(base, route.index));
  }
  routes.length = kept;
  return routes;
}
