/** The CA certificate on disk, for tools that take a file (SSL_CERT_FILE, AWS_CA_BUNDLE, --ca-bundle). */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

export interface CaFile {
  readonly path: string;
  /** Removes the file if this module chose where it went; a file the caller named is left. */
  remove(): Promise<void>;
}

export class CaFileError extends Error {
  override readonly name = "CaFileError";
}

/** Writes `pem` to `file`, or to ca.pem in a fresh temporary directory. */
export async function writeCaFile(pem: string, file?: string): Promise<CaFile> {
  if (file !== undefined) {
    try {
      await writeFile(file, pem, { mode: 0o644 });
    } catch (error) {
      throw new CaFileError(`cannot write the CA file ${file}: ${(error as Error).message}`);
    }
    return { path: path.resolve(file), remove: async () => {} };
  }
  const dir = await mkdtemp(path.join(tmpdir(), "ssm-conformance-ca-"));
  const caPath = path.join(dir, "ca.pem");
  await writeFile(caPath, pem, { mode: 0o644 });
  return { path: caPath, remove: () => rm(dir, { recursive: true, force: true }) };
}
