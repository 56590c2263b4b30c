/** Moved to src/loaders (loaders) and src/auth/access (access facts, SQL filter); kept for code written against this path. */
export { createLoaders, caseFactsOf, loadAccessFacts, whereAccessible, type AccessFacts, type ChildReach, type EventPageKey, type Loaders } from '../loaders/loaders';
