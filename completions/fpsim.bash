# bash completion for fpsim (installed as share/bash-completion/completions/fpsim).
# Commands, each command's options (read from 'fpsim COMMAND --help', so they never drift),
# built-in scenario names ('fpsim scenarios --names'), formats, severities and files.
_fpsim() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi
    local fpsim=${words[0]}
    local commands="report simulate generate analyze compare validate scenarios"
    local cmd="" i
    for ((i = 1; i < cword; i++)); do
        case " $commands " in *" ${words[i]} "*) cmd=${words[i]}; break ;; esac
    done
    case $prev in
    -s | --scenario | --show)
        COMPREPLY=($(compgen -W "$("$fpsim" scenarios --names 2>/dev/null) all" -- "$cur"))
        [ "$prev" = --show ] || COMPREPLY+=($(compgen -f -X '!*.y*ml' -- "$cur"))
        return ;;
    -f | --format)
        COMPREPLY=($(compgen -W "text json markdown md csv html openmetrics" -- "$cur"))
        return ;;
    --fail-on)
        COMPREPLY=($(compgen -W "low medium high critical" -- "$cur"))
        return ;;
    -o | --output | --thresholds | --summary | --folded-diff | --out)
        COMPREPLY=($(compgen -f -- "$cur"))
        return ;;
    -n | --runs | --seed | --rng | --alpha | --noise | --min-samples | --jobs | -j | --grid | --set | --fail-below)
        return ;;
    esac
    if [[ $cur == -* ]]; then
        local opts
        opts=$("$fpsim" ${cmd:+"$cmd"} --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u)
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    if [ -z "$cmd" ] && [ "$cword" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _fpsim fpsim
