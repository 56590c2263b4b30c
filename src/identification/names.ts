import { nameStem, patronymicStem, skeleton } from './skeleton';

/** One row of the curated given-name equivalence table: a spelling and the name it is a form of. */
export interface EquivalenceRow {
  name: string;
  canonical: string;
}

/**
 * Given-name keys from the curated Ukrainian↔Russian equivalence table (Микола/Николай, Олена/Елена,
 * Ганна/Анна…): two spellings with the same key are forms of one name. A name not in the table is its own key.
 */
export class NameKeys {
  private readonly given = new Map<string, string>();
  private readonly stems = new Map<string, string>();

  constructor(rows: EquivalenceRow[]) {
    for (const r of rows) {
      const key = skeleton(r.canonical);
      const skel = skeleton(r.name);
      if (!skel) continue;
      this.given.set(skel, key);
      // A patronymic is made from the father's name: its stem finds the same key (Миколайович, Николаевич).
      this.stems.set(skel, key);
      this.stems.set(nameStem(skel), key);
    }
  }

  /** The equivalence key of a given name ('' when absent). */
  givenKey(name: string | null | undefined): string {
    const skel = skeleton(name);
    return this.given.get(skel) ?? skel;
  }

  /** The key of a patronymic: the key of the father's name it is made from ('' when absent). */
  patronymicKey(patronymic: string | null | undefined): string {
    const stem = patronymicStem(patronymic);
    return this.stems.get(stem) ?? stem;
  }
}
