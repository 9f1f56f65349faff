// Entry of the Parquet worker threads, in CommonJS on purpose. Piscina loads a task file with
// require() first and falls back to import(). With parquet-worker.mjs (which has a top-level await)
// as the entry, Node 20 could abort the whole process with a V8 fatal error ("IsGraphAsync must be
// used on an instantiated module") when one require() of it raced another call's import() in the
// same thread. Here require() only ever loads this file, and the ES module is loaded once, by import().
'use strict';

let loaded;

module.exports = function parquetWorker(job) {
  loaded ??= import('./parquet-worker.mjs').then((m) => m.default);
  return loaded.then((run) => run(job));
};
