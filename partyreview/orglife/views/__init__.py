"""Pages of organisational life: meetings, the roster and dues, and the checks (compliance, suggestions,
terms). Thin: fetch through the scope, check, bind the form, call the service, message, redirect."""
