// Loads the protocol buffer schemas in the package's top-level proto/ directory (protobufjs), once per thread.
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** proto/ beside src/ and dist/: the same relative path from the source and the compiled module. */
const protoDir = fileURLToPath(new URL('../../proto/', import.meta.url));

const roots = new Map<string, protobuf.Root>();

/** The schema in `file` (relative to proto/) with its imports; google/protobuf/* come with protobufjs. */
export function protoRoot(file: string): protobuf.Root {
  let root = roots.get(file);
  if (!root) {
    root = new protobuf.Root();
    // Imports name paths relative to proto/ (as protoc's -I would); protobufjs's bundled google/protobuf files win.
    root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') || target.startsWith(protoDir) ? target : protoDir + target);
    root.loadSync(protoDir + file, { keepCase: false });
    root.resolveAll();
    roots.set(file, root);
  }
  return root;
}

/** A message type of a schema; a missing type is a bug in proto/. */
export function protoType(file: string, name: string): protobuf.Type {
  const t = protoRoot(file).lookupType(name);
  if (!t) throw new Error(`BUG: ${name} is not in proto/${file}`);
  return t;
}
