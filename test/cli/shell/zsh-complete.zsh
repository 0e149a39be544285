# Print the candidates zsh offers for "bringup WORDS<TAB>", one a line, by driving an
# interactive zsh on a pseudo-terminal (zpty): compadd is wrapped to print what it adds,
# and a comppostfuncs hook prints a sentinel when completion is over.
# usage: zsh zsh-complete.zsh FPATH-DIR CWD "WORDS"
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PROMPT=''; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'compadd () { builtin compadd -O __hits "$@"; (( $#__hits )) && print -rl -- ${__hits/#/$'"'"'\x01'"'"'}; builtin compadd "$@" }'
zpty -w z '_capture_done () { print -r -- $'"'"'\x02'"'"'DONE }'
zpty -w z "bindkey '^I' complete-word; cd ${(q)2}; comppostfuncs=(_capture_done)"
zpty -w -n z "bringup $3"$'\t'
zpty -r z out $'*\x02DONE*'
print -r -- "$out" | tr -d '\r' | grep -ao $'\x01[^\x01\x02\x1b]*' | tr -d '\001' | sort -u
zpty -d z
