# natlab(8) completion                                     -*- shell-script -*-
#
# Commands and their options, topology files (*.topo) where a command
# takes one, and what only natlab knows, asked of the natlab on the
# command line: the labs that are up and a lab's nodes (natlab status -q
# [LAB]), and the keys an --axis can take in the topology on the line
# (natlab matrix TOPO --axis help; the built-in topology's without one).
# Installed as share/bash-completion/completions/natlab.

# _natlab_pos FIRST ARGOPTS: the words from words[FIRST] up to the current
# one that are neither options nor the arguments of the options named in
# ARGOPTS ("-n --json"), into the array pos.
_natlab_pos()
{
    local j w skip=0

    pos=()
    for ((j = $1; j < cword; j++)); do
        w=${words[j]}
        if ((skip)); then
            skip=0
            continue
        fi
        case $w in
            --*=*) ;;
            -*) [[ " $2 " == *" $w "* ]] && skip=1 ;;
            *) pos+=("$w") ;;
        esac
    done
}

# _natlab_words CMD...: complete the current word from what natlab prints.
_natlab_words()
{
    COMPREPLY+=($(compgen -W "$("$natlab" "$@" 2>/dev/null)" -- "$cur"))
}

_natlab()
{
    local cur prev words cword split
    _init_completion -s -n = || return

    local natlab=${words[0]} i=1 j pos opts='' argopts=''

    while [[ ${words[i]-} == -[vq] ]]; do
        ((i++))
    done
    if ((cword == i)); then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '-v -q --help --version' -- "$cur"))
        else
            COMPREPLY=($(compgen -W 'up down status exec run matrix rfc
                test check clean version' -- "$cur"))
        fi
        return
    fi

    local cmd=${words[i]}
    case $cmd in
        up)
            opts='-n' argopts=$opts
            ;;
        status)
            opts='-q'
            ;;
        run)
            opts='-n --json --csv --svg --pcap --clients --exit-status'
            argopts="$opts --name"
            ;;
        matrix)
            opts='-n --axis --metric --json --csv --svg --jobs --plan
                --collect'
            argopts="$opts --name"
            ;;
        rfc)
            opts='--profile --rfc --json' argopts="$opts -p"
            ;;
        test)
            opts='--jobs --junit --tap --out' argopts='--jobs --junit --out'
            ;;
        exec)
            # LAB NODE [--] PROGRAM ARGS...: the program's own completion
            for ((j = i + 1; j < cword; j++)); do
                if [[ ${words[j]} == -- ]] || ((j == i + 3)); then
                    [[ ${words[j]} == -- ]] && ((j++))
                    _command_offset $j
                    return
                fi
            done
            case $((cword - i)) in
                1) _natlab_words status -q ;;
                2) _natlab_words status -q "${words[i + 1]}" ;;
                3) COMPREPLY=($(compgen -W '--' -- "$cur")) ;;
            esac
            return
            ;;
    esac

    if [[ -n $prev && " $argopts " == *" $prev "* ]]; then
        case $prev in
            --json | --csv | --svg | --exit-status | --junit)
                _filedir
                ;;
            --pcap | --plan | --collect | --out)
                _filedir -d
                ;;
            --rfc)
                # a comma-separated list: the numbers not given yet
                local done=${cur%"${cur##*,}"} n left=''
                for n in 4787 5382 5508 7857; do
                    [[ ,$done == *,$n,* ]] || left+=" $done$n"
                done
                COMPREPLY=($(compgen -W "$left" -- "$cur"))
                compopt -o nospace
                ;;
            --clients)
                COMPREPLY=($(compgen -W 'all auto' -- "$cur"))
                ;;
            -p | --profile)
                COMPREPLY=($(compgen -W 'masquerade random fully-random
                    persistent rfc' -- "$cur"))
                ;;
            --axis)
                # KEY=V1,V2: the keys; the values are the user's
                [[ $cur == *=* ]] && return
                _natlab_pos $((i + 1)) "$argopts"
                COMPREPLY=($(compgen -W "$("$natlab" matrix ${pos[0]:+"${pos[0]}"} \
                    --axis help 2>/dev/null | sed '/\.$/!s/$/=/')" -- "$cur"))
                compopt -o nospace
                ;;
        esac
        return
    fi
    $split && return

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    _natlab_pos $((i + 1)) "$argopts"
    ((${#pos[@]} == 0)) || return
    case $cmd in
        up | run | matrix | rfc | check)
            _filedir topo
            ;;
        test)
            _filedir topo
            _filedir -d
            ;;
        down)
            _natlab_words status -q
            _filedir topo
            ;;
        status)
            _natlab_words status -q
            ;;
    esac
} &&
    complete -F _natlab natlab

# ex: filetype=sh
