"""``conformance port``: the same layer in other APIs, from the user's own call text.

1. ``parse``: the call text -> (API name, positional, keyword arguments), literals only (``ast``).
2. ``sources``: the API's signature (positional order, defaults, layout) binds those
   arguments to the keyword form an adapter's ``NativeCall`` has; ``inverse`` turns that
   into canonical parameters (``layer.Layer``). The inverse is the adapters' translation
   run backwards, so a pasted call and an adapter's own call read the same way.
3. ``targets``: each target adapter's ``express`` of that layer (the adapters' translation,
   not a copy of it) gives the equivalent call, or a labelled composition, or the reason
   there is none; ``known`` adds the suite's recorded results and expectations.
4. ``verify``: source and targets run in their own environments against the oracle.
"""
