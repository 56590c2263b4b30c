import fs from 'node:fs';
import path from 'node:path';

/**
 * `npm start` runs the build made at install (`prepare`), without compiling. When it runs from dist/ and
 * a source under src/ or migrations/ (or the other `dirs`: the command-line tools add scripts/) is newer than that
 * build, says so (it does not rebuild: a start must not take a compiler's 20 s). A few milliseconds: one stat per
 * source file.
 */
export function staleBuildWarning(entry: string = __filename, dirs: readonly string[] = ['src', 'migrations']): string | null {
  const distSrc = path.dirname(entry);
  if (!entry.endsWith('.js') || path.basename(path.dirname(distSrc)) !== 'dist') return null;
  const root = path.resolve(distSrc, '../..');
  let built: number;
  try {
    built = fs.statSync(entry).mtimeMs;
  } catch {
    return null;
  }
  for (const dir of dirs) {
    let names: string[];
    try {
      names = fs.readdirSync(path.join(root, dir), { recursive: true }) as string[];
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.endsWith('.ts')) continue;
      const file = path.join(root, dir, name);
      if (fs.statSync(file).mtimeMs > built) {
        return `BKB Hub: ${path.join(dir, name)} changed after the build in dist/; run \`npm run build\` (or \`npm run dev\`) to run the current code\n`;
      }
    }
  }
  return null;
}
