#!/usr/bin/env bash
# The web UI's message catalogs: extract the English messages from webui/, merge them into the Chinese
# catalog, compile. Run after changing a page's or view's text, then translate the new entries in
# webui/translations/zh_Hans_CN/LC_MESSAGES/messages.po (empty msgstr) and run it again.
#   bash scripts/translations.sh          extract + update + compile
#   bash scripts/translations.sh compile  only compile (what set-up does)
set -euo pipefail
cd "$(dirname "$0")/../webui"
PYBABEL="${PYBABEL:-../.venv/bin/pybabel}"
CATALOG=translations/zh_Hans_CN/LC_MESSAGES/messages.po
case "${1:-update}" in
  update)
    "$PYBABEL" extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o translations/messages.pot .
    if [ -f "$CATALOG" ]; then
      "$PYBABEL" update --no-fuzzy-matching -i translations/messages.pot -d translations -l zh_Hans_CN
    else
      "$PYBABEL" init -i translations/messages.pot -d translations -l zh_Hans_CN
    fi
    "$PYBABEL" compile -d translations -l zh_Hans_CN
    ;;
  compile) "$PYBABEL" compile -d translations -l zh_Hans_CN ;;
esac
