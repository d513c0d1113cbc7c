// Preloaded (node --import) into the Node tools the tests run: tests never leave the machine, so
// fetch() fails at once, as it would offline. awesome-lint's awesome-github rule asks GitHub's API
// about the repository's description, topics and licence; offline it has nothing to report.
globalThis.fetch = async (resource) => {
  throw new TypeError(`fetch ${resource}: the tests run offline`);
};
