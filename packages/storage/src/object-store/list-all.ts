import type { ListOptions, ObjectInfo, ObjectStore } from './types.js';

/** `list()` for any engine: follows `listPage` continuation tokens until the last page. */
export async function* listAll(store: Pick<ObjectStore, 'listPage'>, prefix: string, options: ListOptions = {}): AsyncGenerator<ObjectInfo> {
  let token: string | undefined;
  do {
    const page = await store.listPage(prefix, { ...options, ...(token === undefined ? {} : { continuationToken: token }) });
    yield* page.objects;
    token = page.nextToken;
  } while (token !== undefined);
}
