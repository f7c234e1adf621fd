"""Running candidate programs (hostile until proven otherwise) away from the trusted parent.

See ``README.md`` here for the walls and what is active where. In short: a per-scenario
``zygote`` preloads data and enters its namespaces once; each evaluation forks a child that
``lockdown`` confines (chroot, uid, rlimits, seccomp) and ``guard`` watches (audit hook); the
child runs ``candidate`` and sends one ``protocol`` report; ``client`` talks to the zygote and
``outcome`` turns how the child ended into a status.
"""
