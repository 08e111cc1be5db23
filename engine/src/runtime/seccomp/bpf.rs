//! A seccomp filter as data (a default action and rules in order, first match wins) and
//! its translation into a classic BPF program for x86_64.
//!
//! Layout: check the ABI (foreign ABIs — i386 through `int 0x80`, x32 — are refused so
//! they cannot go around the rules, which name x86_64 numbers), load the syscall number,
//! then one comparison per syscall that has rules. A syscall with a single rule and no
//! argument conditions returns its action right there; others jump (with `BPF_JA`, whose
//! offset has 32 bits, so the program may be long) to a block after the chain that tries
//! its rules in order and ends in the default action.

/// What the kernel does with a system call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Allow,
    Errno(u16),
    KillThread,
    KillProcess,
    Trap,
    /// Notify a ptrace tracer; without one the call fails with ENOSYS.
    Trace(u16),
    Log,
}

impl Action {
    fn ret(self) -> u32 {
        match self {
            Action::Allow => SECCOMP_RET_ALLOW,
            Action::Errno(e) => libc::SECCOMP_RET_ERRNO | u32::from(e),
            Action::KillThread => 0,
            Action::KillProcess => 0x8000_0000,
            Action::Trap => 0x0003_0000,
            Action::Trace(e) => 0x7ff0_0000 | u32::from(e),
            Action::Log => 0x7ffc_0000,
        }
    }
}

/// How an argument is compared; values are 64-bit and unsigned, as libseccomp's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq(u64),
    Ne(u64),
    Lt(u64),
    Le(u64),
    Gt(u64),
    Ge(u64),
    /// `(arg & mask) == value`.
    MaskedEq {
        mask: u64,
        value: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgCond {
    /// 0..=5.
    pub index: u8,
    pub cmp: Cmp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub nr: u32,
    /// All must hold (none: always).
    pub args: Vec<ArgCond>,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub default: Action,
    pub rules: Vec<Rule>,
}

const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
const X32_SYSCALL_BIT: u32 = 0x4000_0000;
const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
/// The kernel's BPF_MAXINSNS.
pub const MAX_INSNS: usize = 4096;

const LD_W_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
const JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
const JGT_K: u16 = (libc::BPF_JMP | libc::BPF_JGT | libc::BPF_K) as u16;
const JGE_K: u16 = (libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K) as u16;
const JA: u16 = (libc::BPF_JMP | libc::BPF_JA) as u16;
const AND_K: u16 = (libc::BPF_ALU | libc::BPF_AND | libc::BPF_K) as u16;
const RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;

fn stmt(code: u16, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(code: u16, k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter { code, jt, jf, k }
}

/// A conditional jump inside a rule whose false or true branch leaves the rule (to the
/// next rule); patched once the rule's length is known.
#[derive(Clone, Copy)]
enum Leave {
    No,
    OnTrue,
    OnFalse,
}

/// The code of one rule: its conditions, then its action. Every failed condition jumps
/// just past the rule.
fn rule_code(rule: &Rule) -> Result<Vec<libc::sock_filter>, String> {
    let mut code: Vec<(libc::sock_filter, Leave)> = Vec::new();
    let mut emit = |ins, leave| code.push((ins, leave));
    for c in &rule.args {
        let lo_off = 16 + 8 * u32::from(c.index);
        let hi_off = lo_off + 4;
        let split = |v: u64| ((v >> 32) as u32, v as u32);
        match c.cmp {
            Cmp::Eq(v) => {
                let (hi, lo) = split(v);
                emit(stmt(LD_W_ABS, hi_off), Leave::No);
                emit(jump(JEQ_K, hi, 0, 0), Leave::OnFalse);
                emit(stmt(LD_W_ABS, lo_off), Leave::No);
                emit(jump(JEQ_K, lo, 0, 0), Leave::OnFalse);
            }
            Cmp::Ne(v) => {
                let (hi, lo) = split(v);
                emit(stmt(LD_W_ABS, hi_off), Leave::No);
                // High words differ: the condition holds; skip the low-word test.
                emit(jump(JEQ_K, hi, 0, 2), Leave::No);
                emit(stmt(LD_W_ABS, lo_off), Leave::No);
                emit(jump(JEQ_K, lo, 0, 0), Leave::OnTrue);
            }
            Cmp::MaskedEq { mask, value } => {
                let ((mh, ml), (vh, vl)) = (split(mask), split(value));
                emit(stmt(LD_W_ABS, hi_off), Leave::No);
                emit(stmt(AND_K, mh), Leave::No);
                emit(jump(JEQ_K, vh, 0, 0), Leave::OnFalse);
                emit(stmt(LD_W_ABS, lo_off), Leave::No);
                emit(stmt(AND_K, ml), Leave::No);
                emit(jump(JEQ_K, vl, 0, 0), Leave::OnFalse);
            }
            Cmp::Gt(v) | Cmp::Ge(v) => {
                let (hi, lo) = split(v);
                emit(stmt(LD_W_ABS, hi_off), Leave::No);
                // High word above: holds (jump past the next three); below: fails.
                emit(jump(JGT_K, hi, 3, 0), Leave::No);
                emit(jump(JEQ_K, hi, 0, 0), Leave::OnFalse);
                emit(stmt(LD_W_ABS, lo_off), Leave::No);
                let op = if matches!(c.cmp, Cmp::Gt(_)) {
                    JGT_K
                } else {
                    JGE_K
                };
                emit(jump(op, lo, 0, 0), Leave::OnFalse);
            }
            Cmp::Lt(v) | Cmp::Le(v) => {
                let (hi, lo) = split(v);
                emit(stmt(LD_W_ABS, hi_off), Leave::No);
                // High word below: holds (jump past the next three); above: fails.
                emit(jump(JGE_K, hi, 0, 3), Leave::No);
                emit(jump(JEQ_K, hi, 0, 0), Leave::OnFalse);
                emit(stmt(LD_W_ABS, lo_off), Leave::No);
                let op = if matches!(c.cmp, Cmp::Lt(_)) {
                    JGE_K
                } else {
                    JGT_K
                };
                emit(jump(op, lo, 0, 0), Leave::OnTrue);
            }
        }
    }
    emit(stmt(RET_K, rule.action.ret()), Leave::No);
    let len = code.len();
    code.into_iter()
        .enumerate()
        .map(|(i, (mut ins, leave))| {
            let to_end = u8::try_from(len - i - 1)
                .map_err(|_| "a rule has too many argument conditions".to_string())?;
            match leave {
                Leave::No => {}
                Leave::OnTrue => ins.jt = to_end,
                Leave::OnFalse => ins.jf = to_end,
            }
            Ok(ins)
        })
        .collect()
}

/// The BPF program for `filter`.
pub fn compile(filter: &Filter) -> Result<Vec<libc::sock_filter>, String> {
    let foreign = libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32;
    // seccomp_data: nr at offset 0, arch at offset 4, args from offset 16.
    let mut p = vec![
        stmt(LD_W_ABS, 4),
        jump(JEQ_K, AUDIT_ARCH_X86_64, 1, 0),
        stmt(RET_K, foreign),
        stmt(LD_W_ABS, 0),
        jump(JGE_K, X32_SYSCALL_BIT, 0, 1),
        stmt(RET_K, foreign),
    ];
    // Syscalls in the order their first rule appears, with their rules in order.
    let mut order: Vec<(u32, Vec<&Rule>)> = Vec::new();
    for r in &filter.rules {
        match order.iter_mut().find(|(nr, _)| *nr == r.nr) {
            Some((_, rules)) => rules.push(r),
            None => order.push((r.nr, vec![r])),
        }
    }
    let mut blocks: Vec<Vec<libc::sock_filter>> = Vec::new();
    // Where each JA sits in `p` and which block it goes to.
    let mut jumps: Vec<(usize, usize)> = Vec::new();
    for (nr, rules) in &order {
        p.push(jump(JEQ_K, *nr, 0, 1));
        match rules.as_slice() {
            [only] if only.args.is_empty() => p.push(stmt(RET_K, only.action.ret())),
            _ => {
                let mut block = Vec::new();
                for r in rules {
                    block.extend(rule_code(r)?);
                }
                block.push(stmt(RET_K, filter.default.ret()));
                jumps.push((p.len(), blocks.len()));
                p.push(stmt(JA, 0));
                blocks.push(block);
            }
        }
    }
    p.push(stmt(RET_K, filter.default.ret()));
    let mut starts = Vec::new();
    for b in blocks {
        starts.push(p.len());
        p.extend(b);
    }
    for (at, block) in jumps {
        p[at].k = (starts[block] - at - 1) as u32;
    }
    if p.len() > MAX_INSNS {
        return Err(format!(
            "the filter needs {} BPF instructions; the kernel takes at most {MAX_INSNS}",
            p.len()
        ));
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    //! A tiny interpreter of the instructions `compile` emits, so the programs are
    //! checked by running them on made-up system calls.
    use super::*;

    fn run(p: &[libc::sock_filter], nr: u32, args: [u64; 6]) -> u32 {
        let mut data = [0u32; 16];
        data[0] = nr;
        data[1] = AUDIT_ARCH_X86_64;
        for (i, a) in args.iter().enumerate() {
            data[4 + 2 * i] = *a as u32;
            data[5 + 2 * i] = (*a >> 32) as u32;
        }
        let (mut pc, mut acc) = (0usize, 0u32);
        loop {
            let ins = p[pc];
            pc += 1;
            match ins.code {
                LD_W_ABS => acc = data[ins.k as usize / 4],
                AND_K => acc &= ins.k,
                RET_K => return ins.k,
                JA => pc += ins.k as usize,
                JEQ_K | JGT_K | JGE_K => {
                    let yes = match ins.code {
                        JEQ_K => acc == ins.k,
                        JGT_K => acc > ins.k,
                        _ => acc >= ins.k,
                    };
                    pc += usize::from(if yes { ins.jt } else { ins.jf });
                }
                c => panic!("unexpected opcode {c:#x}"),
            }
        }
    }

    const EPERM: u32 = libc::SECCOMP_RET_ERRNO | 1;

    fn one(args: Vec<ArgCond>) -> Filter {
        Filter {
            default: Action::Allow,
            rules: vec![Rule {
                nr: 7,
                args,
                action: Action::Errno(1),
            }],
        }
    }

    fn cond(cmp: Cmp) -> Vec<ArgCond> {
        vec![ArgCond { index: 1, cmp }]
    }

    fn denied(f: &Filter, a1: u64) -> bool {
        run(&compile(f).unwrap(), 7, [0, a1, 0, 0, 0, 0]) == EPERM
    }

    #[test]
    fn plain_rules_and_default() {
        let f = Filter {
            default: Action::Errno(38),
            rules: vec![
                Rule {
                    nr: 1,
                    args: vec![],
                    action: Action::Allow,
                },
                Rule {
                    nr: 2,
                    args: vec![],
                    action: Action::KillProcess,
                },
            ],
        };
        let p = compile(&f).unwrap();
        assert_eq!(run(&p, 1, [0; 6]), SECCOMP_RET_ALLOW);
        assert_eq!(run(&p, 2, [0; 6]), 0x8000_0000);
        assert_eq!(run(&p, 3, [0; 6]), libc::SECCOMP_RET_ERRNO | 38);
        // x32 numbers never reach the rules.
        assert_eq!(
            run(&p, 1 | X32_SYSCALL_BIT, [0; 6]),
            libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32
        );
    }

    #[test]
    fn argument_comparisons_on_64_bit_values() {
        let big = 0x1_0000_0005u64;
        let f = one(cond(Cmp::Eq(big)));
        assert!(denied(&f, big) && !denied(&f, 5) && !denied(&f, big + 1));
        let f = one(cond(Cmp::Ne(big)));
        assert!(!denied(&f, big) && denied(&f, 5) && denied(&f, big << 1));
        let f = one(cond(Cmp::Gt(big)));
        assert!(denied(&f, big + 1) && denied(&f, 1 << 40) && !denied(&f, big));
        assert!(!denied(&f, 0xffff_ffff));
        let f = one(cond(Cmp::Ge(big)));
        assert!(denied(&f, big) && !denied(&f, big - 1));
        let f = one(cond(Cmp::Lt(big)));
        assert!(denied(&f, big - 1) && denied(&f, 0xffff_ffff) && !denied(&f, big));
        assert!(!denied(&f, 1 << 40));
        let f = one(cond(Cmp::Le(big)));
        assert!(denied(&f, big) && !denied(&f, big + 1));
        let f = one(cond(Cmp::MaskedEq {
            mask: 0x7E02_0000,
            value: 0,
        }));
        assert!(denied(&f, 0x11) && !denied(&f, 0x1000_0000));
    }

    #[test]
    fn rules_of_one_syscall_are_tried_in_order() {
        // personality-style: allowed for a few values, denied (the default) otherwise.
        let allow = |v| Rule {
            nr: 7,
            args: vec![ArgCond {
                index: 0,
                cmp: Cmp::Eq(v),
            }],
            action: Action::Allow,
        };
        let f = Filter {
            default: Action::Errno(1),
            rules: vec![allow(0), allow(8), allow(0xffff_ffff)],
        };
        let p = compile(&f).unwrap();
        for (v, want) in [(0, SECCOMP_RET_ALLOW), (8, SECCOMP_RET_ALLOW), (9, EPERM)] {
            assert_eq!(run(&p, 7, [v, 0, 0, 0, 0, 0]), want, "{v}");
        }
        // Two conditions on one rule must both hold.
        let f = one(vec![
            ArgCond {
                index: 0,
                cmp: Cmp::Eq(1),
            },
            ArgCond {
                index: 1,
                cmp: Cmp::Eq(2),
            },
        ]);
        let p = compile(&f).unwrap();
        assert_eq!(run(&p, 7, [1, 2, 0, 0, 0, 0]), EPERM);
        assert_eq!(run(&p, 7, [1, 3, 0, 0, 0, 0]), SECCOMP_RET_ALLOW);
    }

    #[test]
    fn long_programs_jump_far() {
        // Enough conditional syscalls that blocks sit more than 255 instructions away.
        let rules = (0..300)
            .map(|nr| Rule {
                nr,
                args: cond(Cmp::Eq(u64::from(nr))),
                action: Action::Errno(nr as u16),
            })
            .collect();
        let p = compile(&Filter {
            default: Action::Allow,
            rules,
        })
        .unwrap();
        assert!(p.len() > 1000);
        assert_eq!(
            run(&p, 299, [0, 299, 0, 0, 0, 0]),
            libc::SECCOMP_RET_ERRNO | 299
        );
        assert_eq!(run(&p, 299, [0, 1, 0, 0, 0, 0]), SECCOMP_RET_ALLOW);
        let too_many = Filter {
            default: Action::Allow,
            rules: (0..5000)
                .map(|nr| Rule {
                    nr,
                    args: vec![],
                    action: Action::Log,
                })
                .collect(),
        };
        assert!(compile(&too_many).unwrap_err().contains("at most 4096"));
    }
}
