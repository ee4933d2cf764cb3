import { COMMANDS, type CommandDefinition } from './command-definitions.js'
import { optionsOf } from './command-line.js'
import { GLOBAL_OPTIONS, type OptionDefinition } from './option-definitions.js'

export type Shell = 'bash' | 'zsh' | 'fish'

export const SHELLS: readonly Shell[] = ['bash', 'zsh', 'fish']

/**
 * A completion script for `shell`, generated from the command definitions, so that it offers
 * exactly the commands, subcommands and options the parser accepts.
 */
export function completionScript(shell: Shell): string {
  if (shell === 'bash') return bashScript()
  if (shell === 'zsh') return zshScript()
  return fishScript()
}

/** The words a command's first argument may be: its subcommands, or for `help` the command names. */
function positionalsOf(command: CommandDefinition): readonly string[] {
  return command.name === 'help' ? COMMANDS.map((known) => known.name) : (command.subcommands ?? [])
}

/** Every option that takes a value, as `--name`: the word after it is a value, not a command. */
function valueOptions(): string[] {
  const every = Object.assign({}, GLOBAL_OPTIONS, ...COMMANDS.map((command) => command.options)) as Record<string, OptionDefinition>
  return Object.entries(every)
    .filter(([, option]) => option.type === 'string')
    .map(([name]) => `--${name}`)
}

function bashScript(): string {
  const values = valueOptions().join('|')
  const wordsOf = (command: CommandDefinition) => [...positionalsOf(command), ...Object.keys(optionsOf(command)).map((name) => `--${name}`)]
  const cases = COMMANDS.map((command) => `    ${command.name}) words="${wordsOf(command).join(' ')}" ;;`)
  const first = [...COMMANDS.map((command) => command.name), ...Object.keys(GLOBAL_OPTIONS).map((name) => `--${name}`)]
  return `# mig completion for bash. Load it with: source <(mig completion bash)
_mig() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" command="" words i
  case "$prev" in
    ${values})
      COMPREPLY=($(compgen -f -- "$cur"))
      return ;;
  esac
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${values}) ((i++)) ;;
      -*) ;;
      *) command="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$command" in
    "") words="${first.join(' ')}" ;;
${cases.join('\n')}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _mig mig
`
}

function zshScript(): string {
  const quoted = (text: string) => text.replace(/'/g, `'\\''`)
  // In an option's spec the description stands in brackets, which it must not close.
  const described = (text: string) => quoted(text.replace(/\\/g, '\\\\').replace(/[[\]]/g, (match) => `\\${match}`))
  const commandList = COMMANDS.map((command) => `    '${command.name}:${quoted(command.summary)}'`)
  const cases = COMMANDS.map((command) => {
    const specs = Object.entries(optionsOf(command)).map(([name, option]) => {
      const value = option.type === 'string' ? `:${option.placeholder ?? 'value'}:_files` : ''
      return `'--${name}[${described(option.description)}]${value}'`
    })
    const positionals = positionalsOf(command)
    const positional = positionals.length ? [`'1:${command.name === 'help' ? 'command' : 'argument'}:(${positionals.join(' ')})'`] : []
    return `        ${command.name}) _arguments -s ${[...positional, ...specs].join(' \\\n          ')} ;;`
  })
  return `#compdef mig
# mig completion for zsh. Load it with: source <(mig completion zsh), or save it as _mig in a folder of $fpath.
_mig() {
  local -a mig_commands
  mig_commands=(
${commandList.join('\n')}
  )
  local context state state_descr line
  _arguments -C '1:command:->command' '*::argument:->argument'
  case $state in
    command) _describe -t commands 'mig command' mig_commands ;;
    argument)
      case $words[1] in
${cases.join('\n')}
      esac ;;
  esac
}
if [ "$funcstack[1]" = "_mig" ]; then _mig "$@"; else compdef _mig mig; fi
`
}

function fishScript(): string {
  const quoted = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  const lines = [
    '# mig completion for fish. Load it with: mig completion fish | source',
    'complete -c mig -f',
    ...COMMANDS.map((command) => `complete -c mig -n '__fish_use_subcommand' -a ${command.name} -d ${quoted(command.summary)}`),
  ]
  for (const command of COMMANDS) {
    const seen = `'__fish_seen_subcommand_from ${command.name}'`
    const positionals = positionalsOf(command)
    if (positionals.length) lines.push(`complete -c mig -n ${seen} -a ${quoted(positionals.join(' '))}`)
    for (const [name, option] of Object.entries(optionsOf(command))) {
      const short = option.short ? ` -s ${option.short}` : ''
      const value = option.type === 'string' ? ' -r -F' : ''
      lines.push(`complete -c mig -n ${seen} -l ${name}${short}${value} -d ${quoted(option.description)}`)
    }
  }
  return `${lines.join('\n')}\n`
}
