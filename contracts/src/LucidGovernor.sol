// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {NodeEligibility} from "./NodeEligibility.sol";

/// @title LucidGovernor
/// @notice propose -> vote -> queue (Timelock) -> execute. One eligible node, one vote: a node's weight is 1 when
/// NodeEligibility marked it eligible at the proposal's snapshot block, else 0; token balances never count.
/// Quorum is a percentage of the nodes eligible at the snapshot (at least one vote). Voting delay, voting
/// period and quorum are parameters that only governance itself changes.
contract LucidGovernor is Governor, GovernorSettings, GovernorCountingSimple, GovernorTimelockControl {
    NodeEligibility public immutable eligibility;
    uint256 public quorumPercent;

    event QuorumPercentSet(uint256 oldPercent, uint256 newPercent);

    error QuorumPercentOutOfRange(uint256 percent);

    constructor(
        NodeEligibility eligibility_,
        TimelockController timelock_,
        uint48 votingDelay_,
        uint32 votingPeriod_,
        uint256 quorumPercent_
    )
        Governor("LucidGovernor")
        GovernorSettings(votingDelay_, votingPeriod_, 1)
        GovernorTimelockControl(timelock_)
    {
        eligibility = eligibility_;
        _setQuorumPercent(quorumPercent_);
    }

    function setQuorumPercent(uint256 percent) external onlyGovernance {
        _setQuorumPercent(percent);
    }

    function clock() public view override returns (uint48) {
        return eligibility.clock();
    }

    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public view override returns (string memory) {
        return eligibility.CLOCK_MODE();
    }

    /// @notice ceil(eligible nodes at the snapshot x quorumPercent / 100), at least 1.
    function quorum(uint256 timepoint) public view override returns (uint256) {
        uint256 q = (eligibility.getPastEligibleCount(timepoint) * quorumPercent + 99) / 100;
        return q == 0 ? 1 : q;
    }

    function _getVotes(address account, uint256 timepoint, bytes memory) internal view override returns (uint256) {
        return eligibility.getPastEligible(account, timepoint) ? 1 : 0;
    }

    function _setQuorumPercent(uint256 percent) private {
        if (percent == 0 || percent > 100) revert QuorumPercentOutOfRange(percent);
        emit QuorumPercentSet(quorumPercent, percent);
        quorumPercent = percent;
    }

    // The overrides below only resolve Solidity's multiple inheritance.

    function votingDelay() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingDelay();
    }

    function votingPeriod() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingPeriod();
    }

    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    function proposalNeedsQueuing(uint256 proposalId)
        public
        view
        override(Governor, GovernorTimelockControl)
        returns (bool)
    {
        return super.proposalNeedsQueuing(proposalId);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
