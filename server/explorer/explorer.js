// Starts GraphiQL in the Waymark explorer page. The page's
// Content-Security-Policy allows no inline script, so this is a file; the
// server puts the endpoint and the example tabs in the page's data-
// attributes (see server/explorer.go).
'use strict';

(function () {
  const root = document.getElementById('graphiql');

  // GraphiQL keeps tabs and query history in localStorage, and its history
  // keeps each query's headers whatever shouldPersistHeaders says. Headers
  // hold bearer tokens, so this storage blanks every "headers" field of
  // what GraphiQL stores, and never stores the headers editor itself.
  const storage = {
    getItem: (key) => localStorage.getItem(key),
    setItem(key, value) {
      if (key === 'graphiql:headers') {
        return;
      }
      let blanked = false;
      try {
        const v = JSON.parse(value, (k, x) => {
          if (k !== 'headers' || x === null) {
            return x;
          }
          blanked = true;
          return null;
        });
        if (blanked) {
          value = JSON.stringify(v);
        }
      } catch {
        // Not JSON (a query's text): stored as it is.
      }
      localStorage.setItem(key, value);
    },
    removeItem: (key) => localStorage.removeItem(key),
    clear: () => localStorage.clear(),
    key: (i) => localStorage.key(i),
    get length() {
      return localStorage.length;
    },
  };

  const tabs = JSON.parse(root.dataset.tabs);
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: root.dataset.endpoint }),
      defaultTabs: tabs,
      // GraphiQL 4 opens the first of defaultTabs with its query but not its
      // variables; when it has stored tabs, it opens the last one used.
      variables: storage.getItem('graphiql:tabState') === null ? tabs[0].variables : undefined,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: true,
      storage: storage,
    }),
  );
})();
