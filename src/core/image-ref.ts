/**
 * A container image reference split as the kubelet hands it to the runtime: `repo@digest`, or
 * `repo:tag` when the last colon comes after the last slash (a registry port is not a tag), else
 * the implicit `latest`.
 */
export function splitImage(image: string): { repository: string; tag: string } {
  const at = image.indexOf("@");
  if (at >= 0) return { repository: image.slice(0, at), tag: image.slice(at + 1) };
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  if (colon > slash) return { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
  return { repository: image, tag: "latest" };
}
