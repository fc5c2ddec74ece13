// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {PayoutRouterBase} from "./PayoutRouterBase.sol";

/// @title PayoutRouterV0
/// @notice Pays end users (no KYC) in the stablecoin it holds, on 2-of-3 disburser approval.
contract PayoutRouterV0 is PayoutRouterBase {
    constructor(
        IERC20 token_,
        address[3] memory signers_,
        address governance,
        address pauser,
        uint256 maxPerTx_,
        uint256 dailyCap_
    ) PayoutRouterBase("LucidPayoutRouterV0", token_, signers_, governance, pauser, maxPerTx_, dailyCap_) {}

    /// @notice Pays `amount` to `to` for `sessionId`. Anyone may submit; the signatures are the authority.
    /// @param signatures EIP-712 signatures over Payout(sessionId,to,amount,nonce,deadline) by at least 2 distinct
    /// registered signers, ordered by ascending signer address.
    function disburse(
        bytes32 sessionId,
        address to,
        uint256 amount,
        uint256 nonce,
        uint256 deadline,
        bytes[] calldata signatures
    ) external {
        _disburseSigned(sessionId, to, amount, nonce, deadline, signatures);
    }

    /// @notice Pays one leaf of an approved batch (see approveBatch); anyone may submit it with its proof.
    function disburseFromBatch(bytes32 root, BatchPayout calldata payout, bytes32[] calldata proof) external {
        _disburseBatched(root, payout, proof);
    }
}
