// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title NodeEligibility
/// @notice Who may vote: one node, one vote, for nodes with at least 80% uptime over the last three months and
/// at least 1 LUCID earned. The chain's system address writes each node's figures (the chain computes them from
/// PoOT data); this contract applies the rule and keeps checkpoints by block number so that a proposal's
/// snapshot cannot be changed afterwards.
contract NodeEligibility {
    using Checkpoints for Checkpoints.Trace208;

    uint16 public constant MIN_UPTIME_BPS = 8000;
    uint256 public constant MIN_EARNED = 1 ether;

    struct NodeStats {
        uint16 uptimeBps;
        uint256 earned;
    }

    /// @notice The only writer: the chain's system address (tests deploy with an account of their own).
    address public immutable systemAddress;

    mapping(address node => NodeStats) public stats;
    mapping(address node => Checkpoints.Trace208) private _eligible;
    Checkpoints.Trace208 private _eligibleCount;

    event NodeStatsReported(address indexed node, uint16 uptimeBps, uint256 earned, bool eligible);

    error NotSystem(address caller);
    error LengthMismatch();
    error UptimeOutOfRange(uint16 uptimeBps);
    error FutureLookup(uint256 timepoint, uint48 clock);

    constructor(address systemAddress_) {
        systemAddress = systemAddress_;
    }

    /// @notice Records uptime (basis points over the last three months) and LUCID earned (wei) for each node.
    function report(address[] calldata nodes, uint16[] calldata uptimeBps, uint256[] calldata earned) external {
        if (msg.sender != systemAddress) revert NotSystem(msg.sender);
        if (nodes.length != uptimeBps.length || nodes.length != earned.length) revert LengthMismatch();
        uint48 now_ = clock();
        uint256 count = _eligibleCount.latest();
        for (uint256 i = 0; i < nodes.length; i++) {
            if (uptimeBps[i] > 10000) revert UptimeOutOfRange(uptimeBps[i]);
            stats[nodes[i]] = NodeStats({uptimeBps: uptimeBps[i], earned: earned[i]});
            bool was = _eligible[nodes[i]].latest() != 0;
            bool eligibleNow = uptimeBps[i] >= MIN_UPTIME_BPS && earned[i] >= MIN_EARNED;
            if (was != eligibleNow) {
                _eligible[nodes[i]].push(now_, eligibleNow ? 1 : 0);
                count = eligibleNow ? count + 1 : count - 1;
            }
            emit NodeStatsReported(nodes[i], uptimeBps[i], earned[i], eligibleNow);
        }
        _eligibleCount.push(now_, SafeCast.toUint208(count));
    }

    function isEligible(address node) external view returns (bool) {
        return _eligible[node].latest() != 0;
    }

    function eligibleCount() external view returns (uint256) {
        return _eligibleCount.latest();
    }

    function getPastEligible(address node, uint256 timepoint) external view returns (bool) {
        return _eligible[node].upperLookupRecent(_past(timepoint)) != 0;
    }

    function getPastEligibleCount(uint256 timepoint) external view returns (uint256) {
        return _eligibleCount.upperLookupRecent(_past(timepoint));
    }

    /// @notice ERC-6372 clock: block numbers.
    function clock() public view returns (uint48) {
        return Time.blockNumber();
    }

    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() external pure returns (string memory) {
        return "mode=blocknumber&from=default";
    }

    function _past(uint256 timepoint) private view returns (uint48) {
        uint48 now_ = clock();
        if (timepoint >= now_) revert FutureLookup(timepoint, now_);
        return SafeCast.toUint48(timepoint);
    }
}
