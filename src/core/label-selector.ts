/**
 * Label selectors as the API server evaluates them (metav1.LabelSelectorAsSelector): every
 * matchLabels pair AND every matchExpression. A nil selector matches nothing and an empty one
 * everything (a NetworkPolicy podSelector `{}` means "all pods in the namespace").
 */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export function matchesSelector(
  sel: LabelSelector | undefined | null,
  labels: Record<string, string> | undefined,
): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(l, e.key);
    const values = e.values ?? [];
    const val = l[e.key] as string;
    if (e.operator === "In" && !(has && values.includes(val))) return false;
    if (e.operator === "NotIn" && has && values.includes(val)) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}
