-- SPDX-License-Identifier: GPL-2.0
--
-- ASAP and ENRP over TCP for tshark (tshark -X lua_script:rsp-tcp.lua):
-- the messages are framed by their own length field (bytes 2-3 of the
-- common header) and padded to 4, so one TCP segment may carry several
-- and one message may span segments.  Each whole message goes to Wireshark's own ASAP or
-- ENRP dissector; ENRP has no TCP port there at all.

local function framed(name, port, ppid)
	local proto = Proto(name .. "_tcp", name:upper() .. " over TCP")
	-- Not registered by name: the one SCTP hands this PPID to.
	local inner = DissectorTable.get("sctp.ppi"):get_dissector(ppid)

	-- The length field leaves out the padding to 4 that follows.
	local function message_len(tvb, pinfo, offset)
		return math.floor((tvb(offset + 2, 2):uint() + 3) / 4) * 4
	end

	local function message(tvb, pinfo, tree)
		local len = tvb(2, 2):uint()
		inner:call(tvb(0, len):tvb(), pinfo, tree)
		return tvb:len()
	end

	function proto.dissector(tvb, pinfo, tree)
		dissect_tcp_pdus(tvb, tree, 4, message_len, message)
		return tvb:len()
	end

	DissectorTable.get("tcp.port"):add(port, proto)
end

framed("asap", 3863, 11)
framed("enrp", 9901, 12)
